"""Factories for consultation tests: a consultation with one question of every kind."""

from datetime import timedelta

from app.models.base import utcnow
from app.models.consultation import Audience, QuestionKind
from app.services import consultations as service
from app.services import reviews
from app.services.consultations import answering, building

RATING = ["Very poor", "Poor", "Fair", "Good", "Very good"]
PRIORITIES = ["Same carers", "On time", "Longer visits"]


def question(db, consultation, kind: QuestionKind, text: str, *, page=1, required=False, options=(),
             **extra):
    data = building.QuestionInput(kind=kind.value, text=text, required=required,
                                  options="\n".join(options), page=str(page), **extra)
    return building.add_question(db, consultation, data)


def consultation(db, *, audience=Audience.ANYONE, open_it=True, about_you=True, **details):
    review = reviews.create_review(db, title="Review of home care", service="Home care")
    made = service.create_consultation(db, review_id=review.id, title=details.pop("title", "Home care"),
                                       summary="What matters to you.", audience=audience,
                                       about_you_enabled=about_you, **details)
    qs = {
        "rating": question(db, made, QuestionKind.RATING, "How good is home care?", required=True,
                           options=RATING),
        "keep": question(db, made, QuestionKind.SINGLE_CHOICE, "Keep the in-house service?", page=2,
                         required=True, options=["Yes", "No", "Not sure"]),
        "why": question(db, made, QuestionKind.LONG_TEXT, "Why do you say that?", page=2, max_length="300"),
    }
    qs["decide"] = question(db, made, QuestionKind.SHORT_TEXT, "What would help you decide?", page=2,
                            show_if_question_id=str(qs["keep"].id), show_if_value="Not sure")
    qs["seen"] = question(db, made, QuestionKind.MULTIPLE_CHOICE, "What have you seen?", page=3,
                          options=["Missed visits", "Late visits", "None"])
    qs["rank"] = question(db, made, QuestionKind.RANKING, "Rank these priorities", page=4,
                          options=PRIORITIES)
    if open_it:
        service.open_consultation(db, made)
    db.flush()
    return made, qs


def answers(qs, **overrides) -> dict:
    values = {
        str(qs["rating"].id): "4", str(qs["keep"].id): "Yes", str(qs["why"].id): "They know my mum.",
        str(qs["seen"].id): ["Late visits"], str(qs["rank"].id): ["On time", "Same carers", "Longer visits"],
    }
    values.update({str(qs[k].id): v for k, v in overrides.items()})
    return values


def submit(db, made, qs, key, *, respondent_type="service_user", **kwargs):
    form = answering.load_form(db, made.id)
    submission = answering.Submission(respondent_type=respondent_type, answers=answers(qs),
                                      **kwargs)
    return answering.record_response(db, form, submission, key)


def closing_soon():
    return utcnow() + timedelta(days=1)
