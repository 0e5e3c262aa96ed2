"""What the review workspace page shows: findings by stage and the evidence an officer can cite."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models.analysis import Theme, ThemeStatus
from app.models.coding import Code, CodingFrame
from app.models.consultation import Consultation, Question, QuestionKind
from app.models.finding import Finding, ReviewStage
from app.services.reviews import findings
from app.services.reviews.evidence_sources import (
    EvidenceOption,
    compare_evidence_options,
    other_evidence_options,
)


def findings_by_stage(db: Session, review_id: int, *, published_only: bool = False) -> dict:
    grouped: dict[ReviewStage, list[Finding]] = {stage: [] for stage in ReviewStage}
    for finding in findings.findings_for_review(db, review_id, published_only=published_only):
        grouped[finding.stage].append(finding)
    return grouped


def evidence_options(db: Session, review_id: int) -> list[tuple[str, list[EvidenceOption]]]:
    """Everything in this review a finding can cite, grouped for the picker."""
    consultations = list(
        db.scalars(select(Consultation).where(Consultation.review_id == review_id).order_by(Consultation.id))
    )
    ids = [c.id for c in consultations]
    titles = {c.id: c.title for c in consultations}
    questions = list(
        db.scalars(
            select(Question)
            .where(Question.consultation_id.in_(ids))
            .order_by(Question.consultation_id, Question.page, Question.position)
        )
    )
    theme_rows = db.execute(
        select(Theme, Question.consultation_id)
        .join(Question, Question.id == Theme.question_id)
        .where(
            Question.consultation_id.in_(ids), Theme.parent_id.is_(None), Theme.status != ThemeStatus.MERGED
        )
        .order_by(Theme.size.desc())
    ).all()
    groups = [
        (
            N_("Themes from consultations"),
            [
                EvidenceOption(f"theme:{t.id}", _("{theme} ({count} answers; {consultation})").format(
                    theme=t.label, count=f"{t.size:,}", consultation=titles[cid]))
                for t, cid in theme_rows
            ],
        ),
        (
            N_("Codes from coding frames"),
            [
                EvidenceOption(f"code:{c.id}", _("Code: {name} ({consultation})").format(
                    name=c.name, consultation=titles[cid]))
                for c, cid in db.execute(
                    select(Code, Question.consultation_id)
                    .join(CodingFrame, CodingFrame.id == Code.frame_id)
                    .join(Question, Question.id == CodingFrame.question_id)
                    .where(Question.consultation_id.in_(ids))
                    .order_by(Question.consultation_id, Code.position, Code.id)
                ).all()
            ],
        ),
        (
            N_("Figures from choice questions"),
            [
                EvidenceOption(f"question:{q.id}", f"{titles[q.consultation_id]}: {q.text}")
                for q in questions
                if q.kind
                in (
                    QuestionKind.SINGLE_CHOICE,
                    QuestionKind.MULTIPLE_CHOICE,
                    QuestionKind.RATING,
                    QuestionKind.RANKING,
                    QuestionKind.INDICATORS,
                )
            ],
        ),
    ]
    groups.append(other_evidence_options(db, review_id))
    groups.append(compare_evidence_options(db, review_id))
    return [(name, options) for name, options in groups if options]


def consultations_of(db: Session, review_id: int) -> list[tuple[Consultation, list[Question]]]:
    """The review's consultations, each with its free-text questions (where the themes are)."""
    consultations = list(db.scalars(select(Consultation).where(Consultation.review_id == review_id)
                                    .order_by(Consultation.id)))
    questions = db.scalars(select(Question).where(Question.consultation_id.in_([c.id for c in consultations]),
                                                  Question.kind.in_([QuestionKind.SHORT_TEXT,
                                                                     QuestionKind.LONG_TEXT])))
    by_consultation: dict[int, list[Question]] = {}
    for question in questions:
        by_consultation.setdefault(question.consultation_id, []).append(question)
    return [(c, by_consultation.get(c.id, [])) for c in consultations]

