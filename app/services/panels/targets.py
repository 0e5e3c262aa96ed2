"""Quota targets per category and feature: typed in a form, or imported as category,feature,min,max."""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.csv_export import csv_text
from app.errors import InvalidInput
from app.i18n import _
from app.models.panel import Panel, PanelCategory, PanelFeature
from app.services import audit

MAX_TARGET = 100_000
MAX_CSV_BYTES = 200_000


@dataclass(frozen=True)
class TargetRow:
    feature: PanelFeature
    min: int
    max: int | None


def feature_field(feature: PanelFeature, bound: str) -> str:
    return f"f{feature.id}-{bound}"


def _parse_bound(raw: str, *, required: bool) -> int | None:
    raw = raw.strip()
    if not raw:
        if required:
            raise ValueError("blank")
        return None
    if not raw.isdigit() or int(raw) > MAX_TARGET:
        raise ValueError("not a whole number")
    return int(raw)


def set_targets_from_form(db: Session, panel: Panel, category: PanelCategory, form: Mapping[str, str],
                          *, actor_id: int | None) -> None:
    """Fields f<id>-min and f<id>-max for each feature; blank min is 0, blank max is no limit."""
    errors: dict[str, str] = {}
    rows = []
    for feature in category.features:
        low_field, high_field = feature_field(feature, "min"), feature_field(feature, "max")
        try:
            low = _parse_bound(form.get(low_field, ""), required=False) or 0
        except ValueError:
            errors[low_field] = _("Minimum for “{answer}” must be a whole number, like 4").format(
                answer=feature.value)
            continue
        try:
            high = _parse_bound(form.get(high_field, ""), required=False)
        except ValueError:
            errors[high_field] = _("Maximum for “{answer}” must be a whole number, or blank").format(
                answer=feature.value)
            continue
        if high is not None and high < low:
            errors[high_field] = _("Maximum for “{answer}” must be at least its minimum ({low})").format(
                answer=feature.value, low=low)
        rows.append(TargetRow(feature, low, high))
    if errors:
        raise InvalidInput(errors)
    _apply(rows)
    audit.record(db, actor_id=actor_id, action="panel.targets_set", object_type="panel",
                 object_id=panel.id, category=category.key)


def import_targets_csv(db: Session, panel: Panel, content: bytes, *, actor_id: int | None) -> int:
    """Set every target in a `category,feature,min,max` file, or none (errors listed per row)."""
    if len(content) > MAX_CSV_BYTES:
        raise InvalidInput({"file": _("The file is too large: targets files are a few kilobytes")})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": _("Save the file as CSV (UTF-8) and try again")}) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if header[:4] != ["category", "feature", "min", "max"]:
        raise InvalidInput({"file": _("The first line must be the header: category,feature,min,max")})
    by_name = _features_by_name(panel)
    rows: list[TargetRow] = []
    problems: list[str] = []
    seen: set[int] = set()
    for line, raw in enumerate(csv.reader(io.StringIO(text)), start=1):
        if line == 1 or not any(cell.strip() for cell in raw):
            continue
        row, problem = _target_row(raw, by_name, seen)
        if problem:
            problems.append(_("Row {line}: {problem}").format(line=line, problem=problem))
        else:
            rows.append(row)
    if problems:
        listed = "; ".join(problems[:20])
        if len(problems) > 20:
            listed += _("; and {count} more").format(count=len(problems) - 20)
        raise InvalidInput({"file": listed},
                           message=_("Nothing was imported. Correct these rows and try again"))
    if not rows:
        raise InvalidInput({"file": _("The file has no target rows")})
    _apply(rows)
    audit.record(db, actor_id=actor_id, action="panel.targets_import", object_type="panel",
                 object_id=panel.id, rows=len(rows))
    return len(rows)


def _features_by_name(panel: Panel) -> dict[tuple[str, str], PanelFeature]:
    found = {}
    for category in panel.categories:
        for feature in category.features:
            for name in {category.key.lower(), category.label.lower()}:
                found[(name, feature.value.lower())] = feature
    return found


def _target_row(raw: list[str], by_name, seen: set[int]) -> tuple[TargetRow | None, str | None]:
    if len(raw) < 4:
        return None, _("needs four values: category, feature, min, max")
    category, feature_name, low_raw, high_raw = (cell.strip() for cell in raw[:4])
    feature = by_name.get((category.lower(), feature_name.lower()))
    if feature is None:
        return None, _("“{category}” / “{answer}” is not a category and answer of this panel").format(
            category=category, answer=feature_name)
    if feature.id in seen:
        return None, _("“{category}” / “{answer}” is given twice").format(
            category=category, answer=feature_name)
    seen.add(feature.id)
    try:
        low = _parse_bound(low_raw, required=True)
        high = _parse_bound(high_raw, required=False)
    except ValueError:
        return None, _("min and max must be whole numbers (max may be blank for no limit)")
    if high is not None and high < (low or 0):
        return None, _("max ({high}) is less than min ({low})").format(high=high, low=low)
    return TargetRow(feature, low or 0, high), None


def _apply(rows: list[TargetRow]) -> None:
    for row in rows:
        row.feature.target_min = row.min
        row.feature.target_max = row.max


def targets_csv(panel: Panel) -> str:
    """The panel's targets in the import format (also what the CLI reads as categories.csv)."""
    rows = [["category", "feature", "min", "max"]]
    for category in panel.categories:
        if category.has_targets:
            rows += [[category.key, feature.value, feature.target_min,
                      "" if feature.target_max is None else feature.target_max]
                     for feature in category.features]
    return csv_text(rows)

