"""Frozen result types shared by every stage, with plain-JSON round trips."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

OTHER = "other"
NO_COMMENT = "no_comment"
BLANK = "blank"
OTHER_LANGUAGE = "other_language"


@dataclass(frozen=True)
class GroupFlag:
    """One group value's share inside a theme against its share overall."""

    column: str
    value: str
    count: int
    theme_share: float
    overall_share: float
    p_value: float
    q_value: float
    flag: str | None  # "over", "under" or None


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    member_indices: tuple[int, ...]
    quotes: tuple[tuple[int, str], ...]
    centroid: tuple[float, ...]
    parent_id: str | None = None
    stance_counts: dict[str, int] = field(default_factory=dict)
    groups: tuple[GroupFlag, ...] = ()
    campaign_ids: tuple[str, ...] = ()
    description: str = ""
    direction: str = "neutral"  # praise, criticism, suggestion, for, against, mixed, neutral
    tentative: bool = False  # did not recur across restarts: shown as a proposal, not as fact
    direction_counts: dict[str, int] = field(default_factory=dict)
    campaign_responses: int = 0  # campaign copies counted in this theme's total
    description_index: int | None = None  # the input the description quotes


@dataclass(frozen=True)
class Campaign:
    id: str
    representative_index: int
    member_indices: tuple[int, ...]
    size: int
    theme_id: str | None = None
    quote: str = ""


@dataclass(frozen=True)
class Accounting:
    total: int
    in_themes: int
    other: int
    no_comment: int
    in_campaigns: int
    blank: int = 0
    other_language: int = 0

    @property
    def balanced(self) -> bool:
        return (self.in_themes + self.other + self.no_comment + self.in_campaigns + self.blank
                + self.other_language == self.total)


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis run produced; `assignment[i]` says where text i ended.

    `assignment` holds a top-level theme id, a campaign id, "other", "no_comment", "blank" or
    "other_language" (`other_languages` names each such answer's language).
    `themes` lists top-level themes first, then sub-themes (those with a parent_id).
    """

    themes: tuple[Theme, ...]
    other_indices: tuple[int, ...]
    no_comment_indices: tuple[int, ...]
    campaigns: tuple[Campaign, ...]
    assignment: tuple[str, ...]
    accounting: Accounting
    model_name: str
    seed: int
    parameters: dict[str, Any]
    seconds: float
    blank_indices: tuple[int, ...] = ()
    other_languages: tuple[tuple[int, str], ...] = ()  # (input index, language named)

    @property
    def top_themes(self) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.parent_id is None)

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalysisResult:
        return cls(
            themes=tuple(_theme_from_dict(t) for t in data["themes"]),
            other_indices=tuple(data["other_indices"]),
            no_comment_indices=tuple(data["no_comment_indices"]),
            campaigns=tuple(_campaign_from_dict(c) for c in data["campaigns"]),
            assignment=tuple(data["assignment"]),
            accounting=Accounting(**data["accounting"]),
            model_name=data["model_name"],
            seed=data["seed"],
            parameters=dict(data["parameters"]),
            seconds=data["seconds"],
            blank_indices=tuple(data.get("blank_indices", ())),
            other_languages=tuple((int(i), str(lang)) for i, lang in data.get("other_languages", ())),
        )


def _theme_from_dict(d: dict[str, Any]) -> Theme:
    return Theme(
        id=d["id"],
        label=d["label"],
        keywords=tuple(d["keywords"]),
        size=d["size"],
        share=d["share"],
        member_indices=tuple(d["member_indices"]),
        quotes=tuple((int(i), str(q)) for i, q in d["quotes"]),
        centroid=tuple(d["centroid"]),
        parent_id=d.get("parent_id"),
        stance_counts=dict(d.get("stance_counts", {})),
        groups=tuple(GroupFlag(**g) for g in d.get("groups", ())),
        campaign_ids=tuple(d.get("campaign_ids", ())),
        description=d.get("description", ""),
        direction=d.get("direction", "neutral"),
        tentative=bool(d.get("tentative", False)),
        direction_counts=dict(d.get("direction_counts", {})),
        campaign_responses=int(d.get("campaign_responses", 0)),
        description_index=d.get("description_index"),
    )


def _campaign_from_dict(d: dict[str, Any]) -> Campaign:
    return Campaign(
        id=d["id"],
        representative_index=d["representative_index"],
        member_indices=tuple(d["member_indices"]),
        size=d["size"],
        theme_id=d.get("theme_id"),
        quote=d.get("quote", ""),
    )
