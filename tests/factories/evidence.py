"""A closed consultation with real free-text answers (NHS comments shipped with the demo data)."""

import csv
import itertools
import uuid
from pathlib import Path

from app.models.base import utcnow
from app.models.consultation import (
    Channel,
    Consultation,
    ConsultationState,
    Question,
    QuestionKind,
    RespondentType,
)
from app.models.consultation_response import Answer, EqualitiesAnswer, Response
from app.services import reviews

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "demo" / "data" / "nhs_feedback_sample.csv"
TYPES = [RespondentType.SERVICE_USER, RespondentType.CARER, RespondentType.RESIDENT, RespondentType.STAFF]
_counter = itertools.count(1)


def real_comments(n: int) -> list[str]:
    with SAMPLE.open(newline="") as f:
        rows = [row["feedback"] for row in csv.DictReader(f) if row["feedback"].strip()]
    return rows[:n]


def consultation_with_answers(db, *, n: int = 120, state=ConsultationState.CLOSED, review=None,
                              texts: list[str] | None = None):
    review = review or reviews.create_review(db, title=f"Review {next(_counter)}", service="Home care")
    consultation = Consultation(review_id=review.id, title="Your experience of home care",
                                summary="Tell us what works and what could be better.", state=state)
    db.add(consultation)
    db.flush()
    agree = Question(consultation_id=consultation.id, page=1, position=1, kind=QuestionKind.SINGLE_CHOICE,
                     text="Should the council keep its in-house home-care service?", options=["Yes", "No"])
    free = Question(consultation_id=consultation.id, page=1, position=2, kind=QuestionKind.LONG_TEXT,
                    text="What could the service do better?")
    db.add_all([agree, free])
    db.flush()
    for i, text in enumerate(texts if texts is not None else real_comments(n)):
        add_response(db, consultation, agree, free, text, TYPES[i % len(TYPES)], stance=i % 3 != 0)
    db.flush()
    return consultation, agree, free


def add_response(db, consultation, agree, free, text, respondent_type=RespondentType.RESIDENT, *,
                 stance=True, ethnicity=""):
    response = Response(consultation_id=consultation.id, reference=uuid.uuid4().hex[:12].upper(),
                        respondent_type=respondent_type, channel=Channel.ONLINE,
                        idempotency_key=uuid.uuid4().hex, submitted_at=utcnow())
    db.add(response)
    db.flush()
    db.add(Answer(response_id=response.id, question_id=agree.id, option_index=0 if stance else 1,
                  value_text="Yes" if stance else "No"))
    answer = Answer(response_id=response.id, question_id=free.id, value_text=text)
    db.add(answer)
    if ethnicity:
        db.add(EqualitiesAnswer(response_id=response.id, ethnicity=ethnicity))
    db.flush()
    return answer
