"""Every kind of evidence a finding can cite: what each shows now (its view), and what a review
offers to cite (its options). A new kind adds its resolver to RESOLVERS and, if a review offers it
in the picker, its options to `other_evidence_options`; nothing registers itself on import."""

from dataclasses import dataclass

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.privacy import scrub
from app.i18n import N_, _, babel_locale
from app.models.analysis import Theme, ThemeStatus
from app.models.coding import Code, CodedAnswer, CodingFrame
from app.models.compare import (
    AppraisalCriterion,
    AppraisalOption,
    AppraisalScore,
    BenchmarkRow,
    Indicator,
    IndicatorStatus,
    IndicatorSupport,
)
from app.models.consultation import Consultation, Question
from app.models.consultation_response import Answer
from app.models.finding import EvidenceKind
from app.models.forum import Forum, Meeting, Post, PostStatus, Submission, SubmissionStatus, Thread
from app.models.organisation import Organisation
from app.models.petition import Petition
from app.services import petitions


@dataclass(frozen=True)
class EvidenceView:
    kind: EvidenceKind
    object_id: int
    title: str
    figures: dict
    quotes: tuple[str, ...] = ()
    link: str = ""
    missing: bool = False
    note: str = ""  # e.g. the answers behind the figures were deleted on schedule (retention)


def _deleted_note(consultation: Consultation | None) -> str:
    when = consultation.answers_deleted_at if consultation is not None else None
    if not when:
        return ""
    note = _("The answers behind these figures were deleted on schedule on {date}; the figures are kept.")
    return note.format(date=_long_date(when))


def _long_date(value) -> str:
    return format_date(value, "d MMMM y", locale=babel_locale())


@dataclass(frozen=True)
class EvidenceOption:
    value: str  # "kind:id", as posted by the finding form
    label: str


def _theme(db: Session, theme_id: int) -> EvidenceView | None:
    theme = db.get(Theme, theme_id)
    if theme is None:
        return None
    while theme.status == ThemeStatus.MERGED and theme.merged_into_id:
        theme = db.get(Theme, theme.merged_into_id)
    question = db.get(Question, theme.question_id)
    total = db.scalar(select(func.count(Answer.id)).where(Answer.question_id == question.id)) or 0
    return EvidenceView(
        EvidenceKind.THEME, theme_id, _("Theme: {label}").format(label=theme.label),
        {"answers": theme.size, "of": total},
        tuple(q["text"] for q in theme.quotes[:3]), f"/officer/themes/{theme.id}",
        note=_deleted_note(db.get(Consultation, question.consultation_id)),
    )


def _code(db: Session, code_id: int) -> EvidenceView | None:
    """A code of an officer's coding frame: the answers counted under it (coded by an officer, or a
    proposal an officer accepted; never a bare proposal) and a few the officer coded, as quotes."""
    code = db.get(Code, code_id)
    if code is None:
        return None
    frame = db.get(CodingFrame, code.frame_id)
    question = db.get(Question, frame.question_id)
    total = db.scalar(select(func.count(Answer.id)).where(Answer.question_id == question.id,
                                                          Answer.value_text != "")) or 0
    by_officer = db.scalar(select(func.count(CodedAnswer.id)).where(
        CodedAnswer.frame_id == frame.id, CodedAnswer.officer_code_id == code.id)) or 0
    accepted = db.scalar(select(func.count(CodedAnswer.id)).where(
        CodedAnswer.frame_id == frame.id, CodedAnswer.officer_code_id.is_(None),
        CodedAnswer.accepted_code_id == code.id)) or 0
    quotes = db.scalars(select(Answer.value_text).join(CodedAnswer, CodedAnswer.answer_id == Answer.id)
                        .where(CodedAnswer.officer_code_id == code.id)
                        .order_by(CodedAnswer.coded_at, CodedAnswer.id).limit(3)).all()
    return EvidenceView(
        EvidenceKind.CODE, code_id, _("Code: {name}").format(name=code.name),
        {"answers": by_officer + accepted, "of": total, "coded by officers": by_officer,
         "accepted proposals": accepted},
        tuple(scrub(q)[:300] for q in quotes), f"/officer/questions/{question.id}/coding#code-{code.id}",
        note=_deleted_note(db.get(Consultation, question.consultation_id)),
    )


def _question(db: Session, question_id: int) -> EvidenceView | None:
    question = db.get(Question, question_id)
    if question is None:
        return None
    rows = db.execute(select(Answer.option_index, func.count()).where(
        Answer.question_id == question_id, Answer.option_index.is_not(None))
        .group_by(Answer.option_index)).all()
    options = list(question.options or [])
    figures = {(options[i] if i is not None and i < len(options) else str(i)): n for i, n in rows}
    consultation = db.get(Consultation, question.consultation_id)
    return EvidenceView(EvidenceKind.QUESTION, question_id, f"{consultation.title}: {question.text}",
                        figures, (), f"/officer/consultations/{consultation.id}/results",
                        note=_deleted_note(consultation))




def _petition(db, petition_id: int) -> EvidenceView | None:
    petition = db.get(Petition, petition_id)
    if petition is None:
        return None
    found = next(
        (p for p in petitions.petitions_for_review(db, petition.review_id or 0) if p.id == petition_id), None
    )
    if found is None:
        return None
    return EvidenceView(
        EvidenceKind.PETITION,
        petition_id,
        _("Petition: {title}").format(title=found.title),
        {"signatures": found.signature_count, "state": found.status_label},
        (),
        found.url,
    )


def _thread(db, thread_id: int) -> EvidenceView | None:
    thread = db.get(Thread, thread_id)
    if thread is None:
        return None
    forum = db.get(Forum, thread.forum_id)
    posts = (
        db.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == thread.id, Post.status == PostStatus.PUBLISHED
            )
        )
        or 0
    )
    return EvidenceView(
        EvidenceKind.FORUM_THREAD,
        thread_id,
        _("Forum thread: {thread} ({forum})").format(thread=thread.title, forum=forum.title),
        {"posts": posts},
        (),
        f"/forums/{forum.id}/threads/{thread.id}",
    )


def _meeting(db, meeting_id: int) -> EvidenceView | None:
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        return None
    return EvidenceView(
        EvidenceKind.MEETING,
        meeting_id,
        _("Meeting: {title}").format(title=meeting.title),
        {"held on": meeting.held_on.isoformat()},
        (meeting.notes[:300],),
        f"/forums/{meeting.forum_id}",
    )


def _submission(db, submission_id: int) -> EvidenceView | None:
    submission = db.get(Submission, submission_id)
    if submission is None or not submission.is_signed_off:
        return None
    organisation = db.get(Organisation, submission.organisation_id)
    return EvidenceView(
        EvidenceKind.SUBMISSION,
        submission_id,
        _("Submission from {organisation}: {title}").format(
            organisation=organisation.name, title=submission.title),
        {"organisation type": organisation.type.label},
        (submission.body[:300],),
        f"/organisations/{organisation.slug}",
    )


def _indicator(db, indicator_id: int) -> EvidenceView | None:
    indicator = db.get(Indicator, indicator_id)
    if indicator is None or not indicator.is_adopted:
        return None
    supporters = db.scalar(select(func.count(IndicatorSupport.id))
                           .where(IndicatorSupport.indicator_id == indicator_id)) or 0
    return EvidenceView(
        EvidenceKind.INDICATOR, indicator_id, _("Indicator: {name}").format(name=indicator.name),
        {"supporters": supporters, "definition": indicator.definition, "source": indicator.source},
        (), f"/officer/reviews/{indicator.review_id}/indicators#indicator-{indicator.id}",
    )


def _benchmark_row(db, row_id: int) -> EvidenceView | None:
    row = db.get(BenchmarkRow, row_id)
    if row is None:
        return None
    return EvidenceView(
        EvidenceKind.BENCHMARK_ROW, row_id, _("Benchmark: {indicator}, {council}, {period}").format(
            indicator=row.indicator, council=row.council, period=row.period),
        {"value": row.value, "unit": row.unit, "source": f"{row.source} ({row.source_date.isoformat()})"},
        (), f"/officer/reviews/{row.review_id}/benchmarks#benchmark-row-{row.id}",
    )


def _appraisal_score(db, score_id: int) -> EvidenceView | None:
    row = db.execute(select(AppraisalScore, AppraisalOption, AppraisalCriterion)
                     .join(AppraisalOption, AppraisalOption.id == AppraisalScore.option_id)
                     .join(AppraisalCriterion, AppraisalCriterion.id == AppraisalScore.criterion_id)
                     .where(AppraisalScore.id == score_id)).first()
    if row is None:
        return None
    score, option, criterion = row
    return EvidenceView(
        EvidenceKind.APPRAISAL_SCORE, score_id, _("Appraisal score: {option} on {criterion}").format(
            option=option.name, criterion=criterion.name),
        {"score": f"{score.score} of 5", "weight": criterion.weight},
        (score.rationale[:300],), f"/officer/reviews/{option.review_id}/appraisal#score-{score.id}",
    )


def compare_evidence_options(db, review_id: int) -> tuple[str, list[EvidenceOption]]:
    """What a review's adopted indicators, benchmark figures and appraisal scores offer to cite."""
    adopted = db.scalars(
        select(Indicator).where(Indicator.review_id == review_id, Indicator.status == IndicatorStatus.ADOPTED)
        .order_by(Indicator.name))
    options = [EvidenceOption(f"indicator:{i.id}", _("Indicator: {name}").format(name=i.name))
               for i in adopted]
    options += [
        EvidenceOption(f"benchmark_row:{r.id}",
                       _("Benchmark: {indicator}, {council}, {period}: {value}").format(
                           indicator=r.indicator, council=r.council, period=r.period,
                           value=f"{r.value:,.6g} {r.unit}".strip()))
        for r in db.scalars(select(BenchmarkRow).where(BenchmarkRow.review_id == review_id)
                            .order_by(BenchmarkRow.indicator, BenchmarkRow.period, BenchmarkRow.council))]
    scores = db.execute(select(AppraisalScore, AppraisalOption.name, AppraisalCriterion.name)
                        .join(AppraisalOption, AppraisalOption.id == AppraisalScore.option_id)
                        .join(AppraisalCriterion, AppraisalCriterion.id == AppraisalScore.criterion_id)
                        .where(AppraisalOption.review_id == review_id).order_by(AppraisalScore.id)).all()
    scored = _("Appraisal: {option} on {criterion} ({score} of 5)")
    options += [EvidenceOption(f"appraisal_score:{s.id}", scored.format(option=o, criterion=c, score=s.score))
                for s, o, c in scores]
    return N_("Indicators, benchmarks and appraisal scores"), options


def other_evidence_options(db, review_id: int) -> tuple[str, list[EvidenceOption]]:
    """What a review's petitions, forums, meetings and submissions offer to cite."""
    options = [
        EvidenceOption(f"petition:{p.id}", _("{title} ({count} signatures, {state})").format(
            title=p.title, count=f"{p.signature_count:,}", state=_(p.status_label)))
        for p in petitions.petitions_for_review(db, review_id)
    ]
    threads = db.execute(
        select(Thread, Forum.title)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(Forum.review_id == review_id)
        .order_by(Thread.id)
    ).all()
    in_forum = _("Forum: {thread} ({forum})")
    options += [EvidenceOption(f"forum_thread:{t.id}", in_forum.format(thread=t.title, forum=title))
                for t, title in threads]
    meetings = (
        db.execute(
            select(Meeting).join(Forum, Forum.id == Meeting.forum_id).where(Forum.review_id == review_id)
        )
        .scalars()
        .all()
    )
    options += [
        EvidenceOption(f"meeting:{m.id}", _("Meeting: {title} ({date})").format(
            title=m.title, date=_long_date(m.held_on))) for m in meetings
    ]
    submissions = db.execute(
        select(Submission, Organisation.name)
        .join(Organisation, Organisation.id == Submission.organisation_id)
        .where(Submission.review_id == review_id, Submission.status == SubmissionStatus.SIGNED_OFF)
    ).all()
    options += [
        EvidenceOption(f"submission:{s.id}", _("Submission: {title} ({organisation})").format(
            title=s.title, organisation=name)) for s, name in submissions
    ]
    return N_("Petitions, forums, meetings and submissions"), options


RESOLVERS = {
    EvidenceKind.THEME: _theme,
    EvidenceKind.QUESTION: _question,
    EvidenceKind.PETITION: _petition,
    EvidenceKind.FORUM_THREAD: _thread,
    EvidenceKind.MEETING: _meeting,
    EvidenceKind.SUBMISSION: _submission,
    EvidenceKind.INDICATOR: _indicator,
    EvidenceKind.BENCHMARK_ROW: _benchmark_row,
    EvidenceKind.APPRAISAL_SCORE: _appraisal_score,
    EvidenceKind.CODE: _code,
}
