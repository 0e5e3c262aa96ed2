"""The themes page's data and exports: read from aggregates stored with themes, no per-answer work."""

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.csv_export import csv_text
from app.i18n import N_, _
from app.models.analysis import AnalysisRun, Bucket, RunMode, RunStatus, Theme, ThemeAssignment
from app.models.consultation import Question
from app.services import themes
from app.services.themes import runs as analysis_runs
from app.services.themes import sources as analysis_sources

WELSH = "Welsh"  # the name analysis.language gives Welsh answers
# The names analysis.language gives, marked so pages can show each in the reader's language.
LANGUAGE_NAMES = (
    N_("Welsh"), N_("Arabic"), N_("Urdu"), N_("Persian"), N_("Bengali"), N_("Hindi"), N_("Punjabi"),
    N_("Gujarati"), N_("Tamil"), N_("Russian"), N_("Ukrainian"), N_("Greek"), N_("Hebrew"), N_("Thai"),
    N_("Japanese"), N_("Chinese"), N_("Korean"), N_("Armenian"), N_("Georgian"), N_("Amharic"),
    N_("Polish"), N_("French"), N_("Spanish"), N_("German"), N_("Portuguese"), N_("Romanian"),
    N_("Italian"), N_("Lithuanian"), N_("Somali"),
)


@dataclass(frozen=True)
class GroupCell:
    column: str
    value: str
    count: int
    theme_share: float
    overall_share: float
    flag: str | None


@dataclass(frozen=True)
class ThemeView:
    theme: Theme
    share: float
    cells: list[GroupCell]
    subthemes: list[Theme] = field(default_factory=list)

    @property
    def flagged(self) -> list[GroupCell]:
        return [c for c in self.cells if c.flag]

    def cells_for(self, column: str) -> list[GroupCell]:
        return [c for c in self.cells if c.column == column]


@dataclass(frozen=True)
class Summary:
    total_answers: int
    buckets: dict[str, int]
    themes: list[ThemeView]
    campaigns: list[dict]
    columns: list[str]
    last_run: AnalysisRun | None
    k_method: str | None = None  # how the last full run chose the number of themes
    languages: dict[str, int] = field(default_factory=dict)  # other-languages bucket by language

    @property
    def welsh(self) -> int:
        """Answers in Welsh: listed on their own line, since the analysis reads English only."""
        return self.languages.get(WELSH, 0)

    @property
    def other_languages(self) -> dict[str, int]:
        return {language: n for language, n in self.languages.items() if language != WELSH}

    @property
    def in_other_languages(self) -> int:
        return max(0, self.buckets.get("other_language", 0) - self.welsh)

    @property
    def wanted_changes(self) -> list[ThemeView]:
        """Themes ordered by how many of their answers criticise or ask for a change: what people
        want changed is never buried under praise."""
        views = [v for v in self.themes if v.theme.wants_change]
        return sorted(views, key=lambda v: (-v.theme.wants_change, v.theme.id))

    @property
    def chart_rows(self) -> list[tuple[str, int, float]]:
        return [(view.theme.label, view.theme.size, view.share) for view in self.themes]

    @property
    def analysed(self) -> int:
        return sum(self.buckets.values())

    @property
    def unanalysed(self) -> int:
        return max(0, self.total_answers - self.analysed)


def summarise(db: Session, question: Question, *, approved_only: bool = False) -> Summary:
    live = themes.live_themes(db, question.id)
    if approved_only:
        live = [t for t in live if t.publishable]
    children = themes.sub_themes(db, question.id)
    buckets = analysis_runs.bucket_counts(db, question.id)
    denominator = max(1, buckets.get("theme", 0) + buckets.get("campaign", 0) + buckets.get("other", 0))
    views = [ThemeView(t, t.size / denominator, _cells(t), children.get(t.id, [])) for t in live]
    columns = list(dict.fromkeys(c.column for v in views for c in v.cells))
    total = sum(buckets.values()) + analysis_runs.unanalysed_count(db, question.id)
    last_full = db.scalars(select(AnalysisRun).where(
        AnalysisRun.question_id == question.id, AnalysisRun.status == RunStatus.SUCCEEDED,
        AnalysisRun.mode == RunMode.FULL).order_by(AnalysisRun.id.desc()).limit(1)).first()
    last_run = db.scalars(select(AnalysisRun).where(
        AnalysisRun.question_id == question.id, AnalysisRun.status == RunStatus.SUCCEEDED)
        .order_by(AnalysisRun.id.desc()).limit(1)).first()
    campaigns = (last_full.summary or {}).get("campaigns", []) if last_full else []
    k_method = (last_full.parameters or {}).get("k_method") if last_full else None
    languages = _language_counts(db, question.id) if buckets.get("other_language") else {}
    return Summary(total, buckets, views, campaigns, columns, last_run, k_method, languages)


def _language_counts(db: Session, question_id: int) -> dict[str, int]:
    """The other-languages bucket by language, as it stands now (answers placed by later runs and
    moved by officers included); the bucket is small and indexed."""
    rows = db.execute(select(ThemeAssignment.language, func.count())
                      .where(ThemeAssignment.question_id == question_id,
                             ThemeAssignment.bucket == Bucket.OTHER_LANGUAGE)
                      .group_by(ThemeAssignment.language)).all()
    return dict(sorted(((language or "", n) for language, n in rows), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class EvidenceStatus:
    """How much forum evidence speaks to a question's consultation, and whether its analysis reads it."""

    included: bool
    posts: int
    meetings: int
    submissions: int
    unplaced: int

    @property
    def available(self) -> int:
        return self.posts + self.meetings + self.submissions


def evidence_status(db: Session, question: Question) -> EvidenceStatus:
    count = analysis_sources.evidence_counts(db, question)
    included = analysis_sources.includes_forum_evidence(db, question.id)
    unplaced = (max(0, sum(count.values()) - analysis_sources.placed_evidence_count(db, question.id))
                if included else 0)
    return EvidenceStatus(included, count["post"], count["meeting"], count["submission"], unplaced)


def _cells(theme: Theme) -> list[GroupCell]:
    return [GroupCell(g["column"], g["value"], g["count"], g["theme_share"], g["overall_share"], g["flag"])
            for g in theme.groups or []]


def summary_rows(db: Session, question: Question) -> list[dict]:
    summary = summarise(db, question)
    return [{
        "theme_id": view.theme.id, "label": view.theme.label, "status": view.theme.status.value,
        "description": view.theme.description, "direction": view.theme.direction,
        "tentative": view.theme.tentative,
        "answers": view.theme.size, "share": round(view.share, 4), "keywords": list(view.theme.keywords),
        "quotes": [q["text"] for q in view.theme.quotes],
        "stance": view.theme.stance_counts,
        "groups": [{"group": c.column, "value": c.value, "count": c.count,
                    "share_in_theme": round(c.theme_share, 4), "share_overall": round(c.overall_share, 4),
                    "marker": c.flag} for c in view.cells],
    } for view in summary.themes]


# The CSV people download: its header in the reader's language (nothing reads it back).
THEMES_CSV_COLUMNS = (N_("theme_id"), N_("label"), N_("status"), N_("answers"), N_("share"), N_("keywords"),
                      N_("quotes"), N_("groups_more_likely"), N_("groups_less_likely"))


def themes_csv(db: Session, question: Question) -> str:
    rows = [[_(column) for column in THEMES_CSV_COLUMNS]]
    for row in summary_rows(db, question):
        over = [f"{g['group']}: {g['value']}" for g in row["groups"] if g["marker"] == "over"]
        under = [f"{g['group']}: {g['value']}" for g in row["groups"] if g["marker"] == "under"]
        rows.append([row["theme_id"], row["label"], row["status"], row["answers"], row["share"],
                     "; ".join(row["keywords"]), " | ".join(row["quotes"]),
                     "; ".join(over), "; ".join(under)])
    return csv_text(rows)


def themes_json(db: Session, question: Question) -> str:
    body = {"question_id": question.id, "question": question.text, "themes": summary_rows(db, question),
            "buckets": analysis_runs.bucket_counts(db, question.id)}
    return json.dumps(body, ensure_ascii=False, indent=1)
