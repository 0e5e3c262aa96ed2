"""Officers curate themes: rename, merge, split, move an answer, approve. Every change is recorded."""

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer, load_only

from analysis.privacy import scrub
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.job_queue import enqueue_after_commit
from app.models.analysis import AnalysisScope, Bucket, Theme, ThemeAssignment, ThemeStatus
from app.models.base import utcnow
from app.models.consultation import Question
from app.models.consultation_response import Answer, Response
from app.models.user import User
from app.services import audit
from app.services.consultations import search as search_index
from app.services.themes.results import forget_question_evidence, refresh_sizes
from app.services.themes.sources import (
    SOURCE_COLUMN,
    SourceText,
    evidence_for_question,
    includes_forum_evidence,
    key_of,
)

PAGE_SIZE = 25


def live_themes(db: Session, question_id: int) -> list[Theme]:
    """Top-level themes that are not merged away, largest first (the themes page's list)."""
    return list(db.scalars(select(Theme).options(defer(Theme.centroid)).where(
        Theme.question_id == question_id, Theme.parent_id.is_(None),
        Theme.status != ThemeStatus.MERGED).order_by(Theme.size.desc(), Theme.id)))


def sub_themes(db: Session, question_id: int) -> dict[int, list[Theme]]:
    rows = db.scalars(select(Theme).options(load_only(Theme.id, Theme.parent_id, Theme.label, Theme.size,
                                                      Theme.direction, Theme.tentative, Theme.description))
                      .where(Theme.question_id == question_id, Theme.parent_id.is_not(None))
                      .order_by(Theme.size.desc()))
    grouped: dict[int, list[Theme]] = {}
    for theme in rows:
        grouped.setdefault(theme.parent_id, []).append(theme)
    return grouped


def get_theme(db: Session, theme_id: int) -> Theme:
    theme = db.get(Theme, theme_id)
    if theme is None or theme.status == ThemeStatus.MERGED:
        raise NotFound()
    return theme


def rename(db: Session, theme: Theme, label: str, officer: User) -> None:
    label = " ".join(label.split())
    if not label:
        raise InvalidInput({"label": _("Enter a name for the theme")})
    if len(label) > 200:
        raise InvalidInput({"label": _("Theme name must be 200 characters or fewer")})
    old = theme.label
    # A person naming the theme has judged it: it is no longer the machine's tentative proposal.
    theme.label, theme.label_by_people, theme.tentative = label, True, False
    _record(db, officer, "theme.rename", theme, before=old, after=label)


def approve(db: Session, theme: Theme, officer: User) -> None:
    was_tentative = theme.tentative
    theme.status, theme.reviewed_at, theme.reviewed_by_id = ThemeStatus.APPROVED, utcnow(), officer.id
    theme.tentative = False
    _record(db, officer, "theme.approve", theme, **({"was_tentative": True} if was_tentative else {}))


def merge(db: Session, keep: Theme, absorb: Theme, officer: User) -> None:
    if keep.id == absorb.id or keep.question_id != absorb.question_id:
        raise InvalidInput({"into": _("Choose a different theme of the same question to merge with")})
    if keep.parent_id or absorb.parent_id:
        raise InvalidInput({"into": _("Only top-level themes can be merged")})
    db.execute(update(ThemeAssignment).where(ThemeAssignment.theme_id == absorb.id)
               .values(theme_id=keep.id, assigned_by_id=officer.id)
               .execution_options(synchronize_session=False))
    db.execute(update(Theme).where(Theme.parent_id == absorb.id).values(parent_id=keep.id)
               .execution_options(synchronize_session=False))
    keep.quotes = (keep.quotes + absorb.quotes)[:5]
    keep.keywords = list(dict.fromkeys(keep.keywords + absorb.keywords))[:10]
    keep.stance_counts = _added(keep.stance_counts, absorb.stance_counts)
    absorb.status, absorb.merged_into_id = ThemeStatus.MERGED, keep.id
    db.flush()
    refresh_sizes(db, keep.question_id)
    _record(db, officer, "theme.merge", keep, absorbed=absorb.id, absorbed_label=absorb.label)
    _refresh_groups_later(db, keep.question_id)


def _added(a: dict, b: dict) -> dict:
    return {k: a.get(k, 0) + b.get(k, 0) for k in {**a, **b}}


def move_answer(db: Session, answer_id: int, question_id: int, target: str, officer: User) -> None:
    """Move one answer to another theme, to "other" or to "nothing to add"."""
    move_text(db, question_id, "answer", answer_id, target, officer)


def move_text(db: Session, question_id: int, source: str, source_id: int, target: str, officer: User) -> None:
    """Move one analysed text (an answer or a piece of forum evidence) to another theme or bucket."""
    column = SOURCE_COLUMN.get(source)
    if column is None:
        raise NotFound()
    assignment = db.scalar(select(ThemeAssignment).where(
        column == source_id, ThemeAssignment.question_id == question_id))
    if assignment is None:
        raise NotFound()
    before = (assignment.bucket.value, assignment.theme_id)
    if target in (Bucket.OTHER.value, Bucket.NO_COMMENT.value):
        assignment.bucket, assignment.theme_id = Bucket(target), None
    else:
        theme = get_theme(db, int(target)) if target.isdigit() else None
        if theme is None or theme.question_id != question_id or theme.parent_id:
            raise InvalidInput({"target": _("Choose a theme of this question")})
        assignment.bucket, assignment.theme_id = Bucket.THEME, theme.id
    assignment.assigned_by_id = officer.id
    db.flush()
    refresh_sizes(db, question_id)
    audit.record(db, actor_id=officer.id, action="theme.move_answer", object_type=source,
                 object_id=source_id, question_id=question_id, before=list(before), after=target)
    _refresh_groups_later(db, question_id)


def set_forum_evidence(db: Session, question: Question, include: bool, officer: User) -> None:
    """Include (or stop including) the consultation's forum evidence in this question's analysis.
    Stopping takes the evidence out of the themes at once; including takes effect at the next run."""
    if not question.kind.is_text:
        raise InvalidInput({"include": _("Only free-text questions are analysed")})
    scope = db.get(AnalysisScope, question.id) or AnalysisScope(question_id=question.id)
    if bool(scope.includes_forum_evidence) == include:
        return
    scope.includes_forum_evidence, scope.changed_by_id, scope.changed_at = include, officer.id, utcnow()
    db.add(scope)
    if not include:
        forget_question_evidence(db, question.id)
        _refresh_groups_later(db, question.id)
    audit.record(db, actor_id=officer.id, action="analysis.forum_evidence", object_type="question",
                 object_id=question.id, include=include)


def request_split(db: Session, theme: Theme, officer: User) -> None:
    if theme.size < 4:
        raise Conflict(_("A theme needs at least 4 answers to be split."))
    _record(db, officer, "theme.split_requested", theme)
    enqueue_after_commit(db, "analysis.split_theme", theme.id, officer.id)


def theme_texts(db: Session, question: Question, theme: Theme) -> list[tuple[int, SourceText]]:
    """(assignment id, text) for each text in a theme; evidence no longer visible is left out."""
    rows = db.execute(select(ThemeAssignment.id, *SOURCE_COLUMN.values(), Answer.value_text)
                      .outerjoin(Answer, Answer.id == ThemeAssignment.answer_id)
                      .where(ThemeAssignment.theme_id == theme.id, ThemeAssignment.bucket == Bucket.THEME)
                      .order_by(ThemeAssignment.id)).all()
    evidence = ({item.key: item for item in evidence_for_question(db, question)}
                if any(row.answer_id is None for row in rows) else {})
    texts = []
    for assignment_id, *sources, answer_text in rows:
        key = key_of(sources)
        item = (SourceText("answer", key[1], answer_text or "", "", "") if key[0] == "answer"
                else evidence.get(key))
        if item is not None:
            texts.append((assignment_id, item))
    return texts


def _refresh_groups_later(db: Session, question_id: int) -> None:
    enqueue_after_commit(db, "analysis.refresh_theme_groups", question_id)


def _record(db: Session, officer: User, action: str, theme: Theme, **detail) -> None:
    audit.record(db, actor_id=officer.id, action=action, object_type="theme", object_id=theme.id,
                 **detail)


@dataclass(frozen=True)
class AnswerRow:
    answer_id: int | None
    text: str
    respondent_type: str
    channel: str
    campaign_key: str
    source: str = "answer"
    source_id: int = 0
    forum: str | None = None
    language: str = ""  # named for answers in the other-languages bucket

    @property
    def ref(self) -> str:
        """A page-unique name for the row (element ids)."""
        return f"{self.source}-{self.source_id or self.answer_id}"

    @property
    def move_url(self) -> str:
        if self.source == "answer":
            return f"answers/{self.answer_id}/move"
        return f"evidence/{self.source}/{self.source_id}/move"


@dataclass(frozen=True)
class AnswerPage:
    rows: list[AnswerRow]
    total: int
    page: int
    pages: int
    campaigns: list[tuple[str, int, str]]  # key, size, one example text


def answers_in(db: Session, question: Question, *, theme_id: int | None = None, bucket: Bucket | None = None,
               search: str = "", page: int = 1, language: str = "", other_than: str = "") -> AnswerPage:
    """A theme's (or bucket's) texts, paginated and searchable: forum evidence first (a few hundred at
    most), then answers; campaign answers shown once with their count. `language` keeps the texts
    named as written in it (Welsh answers, listed apart), `other_than` leaves them out."""
    where = [ThemeAssignment.question_id == question.id]
    if theme_id is not None:
        where.append(ThemeAssignment.theme_id == theme_id)
    if bucket is not None:
        where.append(ThemeAssignment.bucket == bucket)
    if language:
        where.append(ThemeAssignment.language == language)
    if other_than:
        where.append(ThemeAssignment.language != other_than)
    evidence = _evidence_rows(db, question, where, search)
    answer_where = list(where)
    if search.strip():
        answer_where.append(search_index.free_text_matches(db, search))
    singles = (select(ThemeAssignment.answer_id).join(Answer, Answer.id == ThemeAssignment.answer_id)
               .where(*answer_where, ThemeAssignment.bucket != Bucket.CAMPAIGN))
    total = len(evidence) + (db.scalar(select(func.count()).select_from(singles.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    rows = evidence[start:start + PAGE_SIZE]
    if len(rows) < PAGE_SIZE:
        rows += _answer_rows(db, answer_where, offset=max(0, start - len(evidence)),
                             limit=PAGE_SIZE - len(rows))
    campaigns = db.execute(
        select(ThemeAssignment.campaign_key, func.count(), func.min(Answer.value_text))
        .join(Answer, Answer.id == ThemeAssignment.answer_id)
        .where(*answer_where, ThemeAssignment.bucket == Bucket.CAMPAIGN)
        .group_by(ThemeAssignment.campaign_key)
    ).all()
    return AnswerPage(rows=rows, total=total, page=page, pages=pages,
                      campaigns=[(key, n, _scrubbed(text)) for key, n, text in campaigns])


def _answer_rows(db: Session, where: list, *, offset: int, limit: int) -> list[AnswerRow]:
    rows = db.execute(
        select(Answer.id, Answer.value_text, Response.respondent_type, Response.channel,
               ThemeAssignment.campaign_key, ThemeAssignment.language)
        .join(ThemeAssignment, ThemeAssignment.answer_id == Answer.id)
        .join(Response, Response.id == Answer.response_id)
        .where(*where, ThemeAssignment.bucket != Bucket.CAMPAIGN)
        .order_by(Answer.id).limit(limit).offset(offset)
    ).all()
    return [AnswerRow(r.id, r.value_text, str(r.respondent_type), str(r.channel), r.campaign_key,
                      source_id=r.id, language=r.language or "") for r in rows]


def _evidence_rows(db: Session, question: Question, where: list, search: str) -> list[AnswerRow]:
    """Forum evidence in the selection, read through the forums seam so hidden posts never show."""
    if not includes_forum_evidence(db, question.id):
        return []
    assigned = db.execute(select(*SOURCE_COLUMN.values(), ThemeAssignment.campaign_key)
                          .where(*where, ThemeAssignment.answer_id.is_(None))
                          .order_by(ThemeAssignment.id)).all()
    if not assigned:
        return []
    texts = {item.key: item for item in evidence_for_question(db, question)}
    needle = search.strip().casefold()
    rows = []
    for *sources, campaign_key in assigned:
        item = texts.get(key_of(sources))
        if item is None or (needle and needle not in item.text.casefold()):
            continue
        rows.append(AnswerRow(None, item.text, item.respondent_type, item.channel, campaign_key,
                              source=item.source, source_id=item.source_id, forum=item.forum))
    return rows


def _scrubbed(text: str) -> str:
    return scrub(text or "")
