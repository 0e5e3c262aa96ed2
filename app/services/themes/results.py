"""Turn an analysis result into themes and one assignment per text, in the run's transaction."""

import dataclasses

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.models.analysis import AnalysisRun, Bucket, QuestionThemeStats, Theme, ThemeAssignment, ThemeStatus
from app.services.themes.sources import SOURCE_COLUMN, SourceText, source_values

NO_COMMENT = "no_comment"
OTHER = "other"
BLANK = "blank"
OTHER_LANGUAGE = "other_language"


def save_full(db: Session, run: AnalysisRun, items: list[SourceText], result) -> None:
    fit = result.parameters.get("fit_thresholds", {})
    theme_ids: dict[str, int] = {}
    for analysed in result.themes:  # top-level themes come before their sub-themes
        theme = _new_theme(run, items, analysed, fit.get(analysed.id, 0.0),
                           parent_id=theme_ids.get(analysed.parent_id) if analysed.parent_id else None)
        db.add(theme)
        db.flush()
        theme_ids[analysed.id] = theme.id
    campaigns = {c.id: c for c in result.campaigns}
    languages = dict(getattr(result, "other_languages", ()))
    rows = [_assignment(run, item, label, theme_ids, campaigns, languages.get(n, ""))
            for n, (item, label) in enumerate(zip(items, result.assignment, strict=True))]
    _insert(db, rows)
    refresh_sizes(db, run.question_id)
    run.summary = {
        "texts": len(items),
        "accounting": dataclasses.asdict(result.accounting),
        "campaigns": [
            {"key": c.id, "size": c.size, "quote": c.quote, "theme_id": theme_ids.get(c.theme_id)}
            for c in result.campaigns
        ],
        "themes_proposed": len(result.top_themes),
        "analysis_seconds": round(result.seconds, 2),
        "other_languages": _language_counts(languages.values()),
    }
    run.parameters = {**run.parameters, **_json_safe(result.parameters)}


def save_incremental(db: Session, run: AnalysisRun, items: list[SourceText], outcome, previous) -> None:
    if outcome is None:
        run.summary = {"texts": 0, "placed": {}, "themes_proposed": 0}
        return
    theme_ids = {t.id: int(t.id) for t in previous.themes}
    for analysed in outcome.new_themes:
        theme = _new_theme(run, items, analysed, 0.0, parent_id=None)
        db.add(theme)
        db.flush()
        theme_ids[analysed.id] = theme.id
    languages = dict(getattr(outcome, "other_languages", ()))
    rows = [_assignment(run, item, label, theme_ids, {}, languages.get(n, ""))
            for n, (item, label) in enumerate(zip(items, outcome.assignment, strict=True))]
    _insert(db, rows)
    refresh_sizes(db, run.question_id)
    run.summary = {"texts": len(items), "placed": outcome.counts,
                   "themes_proposed": len(outcome.new_themes)}


def _public_description(items, analysed) -> str:
    """The description quotes one text; if that text may not leave the officers' pages (a
    members-only forum post), the first quote that may stands in for it."""
    text = getattr(analysed, "description", "") or ""
    index = getattr(analysed, "description_index", None)
    if not text or index is None or items[index].is_public:
        return text
    public = [t for i, t in analysed.quotes if items[i].is_public]
    return f"\u201c{public[0]}\u201d" if public else ""


def _language_counts(languages) -> dict[str, int]:
    counts: dict[str, int] = {}
    for language in languages:
        counts[language] = counts.get(language, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _new_theme(run, items, analysed, fit_threshold: float, parent_id: int | None) -> Theme:
    return Theme(
        question_id=run.question_id, run_id=run.id, parent_id=parent_id, label=analysed.label[:200],
        keywords=list(analysed.keywords), status=ThemeStatus.PROPOSED, size=analysed.size,
        quotes=[quote(items[i], text) for i, text in analysed.quotes],
        centroid=[round(float(v), 6) for v in analysed.centroid], fit_threshold=float(fit_threshold),
        groups=[dataclasses.asdict(g) for g in analysed.groups],
        stance_counts=dict(analysed.stance_counts),
        description=_public_description(items, analysed),
        direction=getattr(analysed, "direction", "neutral") or "neutral",
        tentative=bool(getattr(analysed, "tentative", False)),
        direction_counts=dict(getattr(analysed, "direction_counts", {}) or {}),
    )


def quote(item: SourceText, text: str) -> dict:
    """A quote as stored with its theme; `public` says whether it may leave the officers' pages."""
    return {"answer_id": item.answer_id, "source": item.source, "source_id": item.source_id, "text": text,
            "public": item.is_public}


def _assignment(run, item: SourceText, label: str, theme_ids: dict, campaigns: dict,
                language: str = "") -> dict:
    row = {"question_id": run.question_id, **source_values(item), "run_id": run.id,
           "theme_id": None, "campaign_key": "", "bucket": Bucket.THEME, "language": ""}
    if label == NO_COMMENT:
        row["bucket"] = Bucket.NO_COMMENT
    elif label == BLANK:
        row["bucket"] = Bucket.BLANK
    elif label == OTHER_LANGUAGE:
        row.update(bucket=Bucket.OTHER_LANGUAGE, language=language[:40])
    elif label == OTHER:
        row["bucket"] = Bucket.OTHER
    elif label in campaigns:
        row.update(bucket=Bucket.CAMPAIGN, campaign_key=label,
                   theme_id=theme_ids.get(campaigns[label].theme_id))
    elif label in theme_ids:
        row["theme_id"] = theme_ids[label]
    else:
        row["bucket"] = Bucket.OTHER
    return row


def _insert(db: Session, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.execute(insert(ThemeAssignment), rows[start:start + 5000])


def refresh_sizes(db: Session, question_id: int) -> None:
    """Each top-level theme's size is the number of answers assigned to it (campaign members count);
    the question's bucket counts are stored too, so reading the themes page counts nothing."""
    _store_bucket_counts(db, question_id)
    counted = (select(func.count(ThemeAssignment.id))
               .where(ThemeAssignment.theme_id == Theme.id,
                      ThemeAssignment.bucket.in_([Bucket.THEME, Bucket.CAMPAIGN]))
               .scalar_subquery())
    db.execute(update(Theme).where(Theme.question_id == question_id, Theme.parent_id.is_(None))
               .values(size=counted).execution_options(synchronize_session=False))


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _store_bucket_counts(db: Session, question_id: int) -> None:
    rows = db.execute(select(ThemeAssignment.bucket, func.count(), func.max(ThemeAssignment.answer_id))
                      .where(ThemeAssignment.question_id == question_id)
                      .group_by(ThemeAssignment.bucket)).all()
    stats = db.get(QuestionThemeStats, question_id) or QuestionThemeStats(question_id=question_id)
    stats.buckets = {str(bucket): n for bucket, n, _ in rows}
    stats.last_answer_id = max((last or 0 for _, _, last in rows), default=0)
    db.add(stats)


def forget_evidence(db: Session, source: str, source_id: int) -> None:
    """A post hidden or rejected after it was analysed leaves every theme and quote at once."""
    column = SOURCE_COLUMN[source]
    questions = set(db.scalars(select(ThemeAssignment.question_id).where(column == source_id)))
    if not questions:
        return
    db.execute(delete(ThemeAssignment).where(column == source_id))
    for question_id in questions:
        _drop_quotes(db, question_id, lambda q: q.get("source") == source and q.get("source_id") == source_id)
        refresh_sizes(db, question_id)


def forget_question_evidence(db: Session, question_id: int) -> None:
    """Take every piece of forum evidence out of a question's themes (the officer stopped including it)."""
    db.execute(delete(ThemeAssignment).where(ThemeAssignment.question_id == question_id,
                                             ThemeAssignment.answer_id.is_(None)))
    _drop_quotes(db, question_id, lambda q: q.get("source", "answer") != "answer")
    refresh_sizes(db, question_id)


def _drop_quotes(db: Session, question_id: int, drop) -> None:
    for theme in db.scalars(select(Theme).where(Theme.question_id == question_id)):
        kept = [q for q in theme.quotes or [] if not drop(q)]
        if len(kept) != len(theme.quotes or []):
            theme.quotes = kept
