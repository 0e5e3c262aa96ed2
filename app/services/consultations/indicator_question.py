"""The question type "Which of these matter most to you?" (decision 0103): its options are the review's
indicators, read when the officer saves the question; each recorded answer counts as support for the
indicators it ranks (first, second, third choice) and proposes its suggestion, under the group the
respondent said they answer as (service users, carers, staff, organisations, other residents).

Only the group and the rank are kept with the support, never who answered, so the counts stay when
the answers themselves are anonymised. Works on the models directly: services.reviews imports this
package, so this package never imports services.reviews.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.compare import Indicator, IndicatorSupport, ProposerType
from app.models.consultation import Consultation, QuestionKind, RespondentType
from app.models.review import Review, ReviewStatus
from app.services.consultations import rules

MAX_OPTIONS = 20  # as the builder's other questions

SUPPORTER_TYPES = {
    RespondentType.SERVICE_USER: ProposerType.SERVICE_USER,
    RespondentType.CARER: ProposerType.CARER,
    RespondentType.STAFF: ProposerType.STAFF,
    RespondentType.ORGANISATION: ProposerType.ORGANISATION,
    RespondentType.RESIDENT: ProposerType.RESIDENT,
    RespondentType.OTHER: ProposerType.RESIDENT,
}


def supporter_type(respondent_type: str) -> ProposerType:
    """The indicator group of a respondent type (a resident or 'other' counts as 'other residents')."""
    return SUPPORTER_TYPES[RespondentType(respondent_type)]


def options_for_review(db: Session, review_id: int) -> list[str]:
    """The review's indicators as the question's options: the 20 most supported (every one when
    fewer), in the order they were proposed, each name once."""
    support = (
        select(IndicatorSupport.indicator_id, func.count().label("n"))
        .group_by(IndicatorSupport.indicator_id)
        .subquery()
    )
    rows = db.execute(
        select(Indicator.id, Indicator.name, func.coalesce(support.c.n, 0))
        .outerjoin(support, support.c.indicator_id == Indicator.id)
        .where(Indicator.review_id == review_id)
    ).all()
    best: dict[str, tuple[int, int]] = {}  # name -> (first id, support)
    for indicator_id, name, n in rows:
        first_id, total = best.get(name, (indicator_id, 0))
        best[name] = (min(first_id, indicator_id), total + n)
    kept = sorted(best.items(), key=lambda item: (-item[1][1], item[1][0]))[:MAX_OPTIONS]
    return [name for name, _ in sorted(kept, key=lambda item: item[1][0])]


def count_answers(
    db: Session, consultation_id: int, respondent_type: str, questions: Iterable, clean: Mapping[str, Any]
) -> int:
    """Count one recorded response's answers to indicators questions as support; returns how many
    indicators it counted for. Nothing is counted when the consultation belongs to no review or the
    review is concluded (the answer itself is still recorded)."""
    answered = [
        (q, clean[str(q.id)])
        for q in questions
        if QuestionKind(q.kind) == QuestionKind.INDICATORS and rules.answer_present(clean.get(str(q.id)))
    ]
    if not answered:
        return 0
    review_id, status = db.execute(
        select(Consultation.review_id, Review.status)
        .outerjoin(Review, Review.id == Consultation.review_id)
        .where(Consultation.id == consultation_id)
    ).one()
    if review_id is None or status == ReviewStatus.CONCLUDED:
        return 0
    kind = supporter_type(respondent_type)
    by_name: dict[str, int] = {}
    for indicator_id, name in db.execute(
        select(Indicator.id, Indicator.name)
        .where(Indicator.review_id == review_id)
        .order_by(Indicator.id.desc())
    ):
        by_name[name.casefold()] = indicator_id  # the first proposed wins
    counted = 0
    for question, value in answered:
        ranked, suggestion = rules.indicators_parts(question, value)
        for rank, name in enumerate(ranked, start=1):
            indicator_id = by_name.get(name.casefold())
            if indicator_id is not None:
                db.add(IndicatorSupport(indicator_id=indicator_id, supporter_type=kind, rank=rank))
                counted += 1
        if suggestion:
            existing = by_name.get(suggestion.casefold())
            if existing is None:  # a new proposal, counted as its proposer's support
                indicator = Indicator(
                    review_id=review_id,
                    name=suggestion,
                    reason="",
                    proposed_by_type=kind,
                    consultation_id=consultation_id,
                )
                db.add(indicator)
                db.flush()
                by_name[suggestion.casefold()] = existing = indicator.id
            db.add(IndicatorSupport(indicator_id=existing, supporter_type=kind))
            counted += 1
    db.flush()
    return counted
