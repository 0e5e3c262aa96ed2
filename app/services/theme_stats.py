"""Recompute who-said-it breakdowns after curation changes a question's themes (a job, not a request)."""

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.analysis import Bucket, Theme, ThemeAssignment, ThemeStatus
from app.models.consultation import Question
from app.services.analysis_sources import SOURCE_COLUMN, group_columns, key_of, texts_for_question


def refresh_groups(db: Session, question_id: int) -> None:
    from analysis.groups import GroupComparer

    question = db.get(Question, question_id)
    items = texts_for_question(db, question)
    position = {item.key: i for i, item in enumerate(items)}
    assigned = db.execute(select(*SOURCE_COLUMN.values(), ThemeAssignment.theme_id, ThemeAssignment.bucket)
                          .where(ThemeAssignment.question_id == question_id)).all()
    themes = [t for t in db.scalars(select(Theme).where(
        Theme.question_id == question_id, Theme.parent_id.is_(None), Theme.status != ThemeStatus.MERGED))]
    members = {t.id: [] for t in themes}
    population = []
    for *sources, theme_id, bucket in assigned:
        key = key_of(sources)
        if key not in position or bucket == Bucket.NO_COMMENT:
            continue
        population.append(position[key])
        if theme_id in members:
            members[theme_id].append(position[key])
    columns = group_columns(items)
    if not themes or not population:
        return
    flags = GroupComparer().compare(columns, [members[t.id] for t in themes], sorted(population))
    for theme, theme_flags in zip(themes, flags, strict=True):
        theme.groups = [dataclasses.asdict(flag) for flag in theme_flags]
