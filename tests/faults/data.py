"""What the fault tests submit to: an open consultation with an API token, and an open petition."""

from contextlib import contextmanager

from app import jobs
from app.models.user import Role
from app.services import consultations, reviews
from app.services.consultations import building as consultations_building
from app.services.consultations import channels as consultations_channels
from tests import factories
from tests.services.test_petitions_factories import petition as open_petition


@contextmanager
def _jobs_on(database):
    """Set-up work may queue emails: send them to this test's database, then put things back."""
    previous = jobs._database
    jobs.use_database(database)
    try:
        yield
    finally:
        jobs.use_database(previous)


def prepare(database) -> dict:
    with _jobs_on(database), database.transaction() as db:
        officer = factories.user(db, Role.OFFICER)
        review = reviews.create_review(db, title="Day services review", service="Day services")
        made = consultations.create_consultation(db, review_id=review.id, title="Day centres",
                                                 summary="How should day centres open?")
        question = consultations_building.add_question(db, made, consultations_building.QuestionInput(
            kind="long_text", text="What would help you most?", page="1"))
        consultations.open_consultation(db, made)
        _token, secret = consultations_channels.create_api_token(db, name="fault test", actor_id=officer.id)
        petition = open_petition(db)
        return {"consultation_id": made.id, "question_id": question.id, "token": secret,
                "petition_id": petition.id}
