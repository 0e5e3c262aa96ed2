"""Issue 24, decision 0103, through the pages: an officer adds "Which of these matter most to you?" in
the question builder; a resident answers it (numbered selects and a suggestion, no script), with
errors; an officer types in a paper answer; a forum member proposes an indicator from the forum (and
from a thread); the team's table shows the support by group and where each came from."""

import pytest
from sqlalchemy import select

from app.models.compare import Indicator, ProposerType
from app.models.consultation import QUESTION_KIND_LABELS, Question, QuestionKind
from app.models.forum import ForumVisibility
from app.models.organisation import OrganisationType
from app.models.user import Role
from app.services import consultations as service
from app.services import forums, reviews
from app.services.forums import posting
from app.services.forums.visibility import get_forum
from app.services.reviews import indicators
from tests import factories
from tests.forms import submit_form
from tests.helpers import page, text_of

QUESTION = "Which of these matter most to you?"


@pytest.fixture
def officer(db):
    account = factories.user(db, Role.OFFICER, email="officer@example.org")
    db.flush()
    return account


@pytest.fixture
def review(db):
    made = reviews.create_review(db, title="Home care review", service="Home care")
    made.is_public = True
    for name in ("Visits on time", "Same carer each week", "Calls answered"):
        indicators.propose(db, made, name=name, reason="", proposed_by_type="staff")
    db.flush()
    return made


def _support(db, review, name):
    return {p.indicator.name: p for p in indicators.proposals(db, review.id)}[name]


def test_officer_builds_it_and_a_resident_answers_without_script(client, db, review, officer):
    made = service.create_consultation(
        db,
        review_id=review.id,
        title="What should we measure?",
        summary="Home care.",
        about_you_enabled=False,
    )
    db.flush()
    client.sign_in("officer@example.org", factories.PASSWORD)
    overview = f"/officer/consultations/{made.id}"
    added = submit_form(
        client,
        overview,
        f"/officer/consultations/{made.id}/questions",
        {"Type of question": QUESTION_KIND_LABELS[QuestionKind.INDICATORS], "Question": QUESTION},
    )
    assert added.status_code == 303
    question = db.scalars(select(Question).where(Question.consultation_id == made.id)).one()
    assert question.options == ["Visits on time", "Same carer each week", "Calls answered"]
    service.open_consultation(db, made)
    db.flush()
    client.submit("/sign-out")

    base = f"/consultations/{made.id}/respond"
    assert client.submit(f"/consultations/{made.id}/start").status_code == 303
    who = submit_form(
        client,
        f"{base}/who",
        f"{base}/who",
        {"A carer or family member of someone who uses the service": True},
    )
    assert who.headers["location"] == f"{base}/page-1"
    refused = submit_form(
        client,
        f"{base}/page-1",
        f"{base}/page-1",
        {"Your first choice": "Calls answered", "Your second choice (optional)": "Calls answered"},
    )
    assert refused.status_code == 422
    body = text_of(refused)
    assert "There is a problem" in body and "Choose each indicator once" in body
    assert page(refused).find("a", href=f"#{question.field}") is not None  # the summary links to the field
    again = submit_form(
        client,
        f"{base}/page-1",
        f"{base}/page-1",
        {
            "Your first choice": "Calls answered",
            "Your second choice (optional)": "Visits on time",
            "Something else that should be measured (optional)": "Same carer each week",
        },
    )
    assert again.status_code == 422 and "is already in the list" in text_of(again)
    sent = submit_form(
        client,
        f"{base}/page-1",
        f"{base}/page-1",
        {
            "Your first choice": "Calls answered",
            "Your second choice (optional)": "",
            "Your third choice (optional)": "Visits on time",
            "Something else that should be measured (optional)": "Visits that start on time",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{base}/check"
    check = client.get(f"{base}/check")
    assert "1. Calls answered" in check.text and "2. Visits on time" in check.text
    assert "Suggested: Visits that start on time" in text_of(check)
    back = client.get(f"{base}/page-1")  # the saved answer is shown back in the selects
    chosen = page(back).find("select", id=question.field).find("option", selected=True)
    assert chosen.get_text() == "Calls answered"
    done = submit_form(client, f"{base}/check", f"{base}/submit")
    assert done.status_code == 303
    calls = _support(db, review, "Calls answered")
    assert calls.support[ProposerType.CARER] == 1 and calls.first_choices == 1
    new = _support(db, review, "Visits that start on time")
    assert new.indicator.proposed_by_type == ProposerType.CARER and new.indicator.consultation_id == made.id

    client.sign_in("officer@example.org", factories.PASSWORD)
    results = client.get(f"/officer/consultations/{made.id}/results")
    assert results.status_code == 200 and "Calls answered" in results.text
    table = client.get(f"/officer/reviews/{review.id}/indicators")
    assert "Other residents" in table.text
    assert "answering the consultation" in text_of(table) and "What should we measure?" in table.text

    entry = f"/officer/consultations/{made.id}/responses/new"
    wrong = submit_form(
        client,
        entry,
        entry,
        {
            "Responding as": "Someone who uses the service",
            "Your first choice": "Visits on time",
            "Your third choice (optional)": "Visits on time",
        },
    )
    assert wrong.status_code == 422 and "Choose each indicator once" in text_of(wrong)
    typed = submit_form(
        client,
        entry,
        entry,
        {"Responding as": "Someone who uses the service", "Your first choice": "Visits on time"},
    )
    assert typed.status_code == 303, text_of(typed)[:2000]
    assert _support(db, review, "Visits on time").support[ProposerType.SERVICE_USER] == 1


def test_a_stand_alone_consultation_cannot_use_it(client, db, officer):
    made = service.create_consultation(db, review_id=None, title="Stand-alone", summary="")
    db.flush()
    client.sign_in("officer@example.org", factories.PASSWORD)
    refused = submit_form(
        client,
        f"/officer/consultations/{made.id}",
        f"/officer/consultations/{made.id}/questions",
        {"Type of question": QUESTION_KIND_LABELS[QuestionKind.INDICATORS], "Question": "Which?"},
    )
    assert refused.status_code == 422 and "asks about a review&#39;s indicators" in refused.text


def test_forum_member_proposes_from_the_forum_and_a_thread(client, db, review, officer):
    union = factories.organisation(db, type=OrganisationType.TRADE_UNION)
    forum = forums.create_forum(
        db,
        officer,
        title="Care workers' forum",
        visibility=ForumVisibility.MEMBERS_ONLY,
        review_id=review.id,
        member_organisation_ids=[union.id],
    )
    factories.user(db, Role.MEMBER, organisation_id=union.id, email="member@example.org")
    councillor = factories.user(db, Role.COUNCILLOR, email="councillor@example.org")
    db.flush()
    thread, _post = posting.start_thread(
        db,
        posting.Poster(officer, "secret"),
        get_forum(db, officer, forum.id),
        title="Rotas",
        body="Travel time is not paid.",
    )
    db.flush()
    client.sign_in("member@example.org", factories.PASSWORD)
    forum_page = client.get(f"/forums/{forum.id}")
    link = page(forum_page).find("a", string="Propose something the review should measure")
    assert link is not None and link["href"] == f"/forums/{forum.id}/indicators"
    action = f"/forums/{forum.id}/indicators"
    empty = submit_form(client, action, action, {})
    assert empty.status_code == 422 and "Say what should be measured" in text_of(empty)
    sent = submit_form(
        client,
        action,
        action,
        {
            "Something that should be measured": "Travel time paid",
            "Why it matters (optional)": "Rotas leave no time",
        },
    )
    assert sent.status_code == 303
    confirmed = client.get(sent.headers["location"])
    assert (
        "Your proposal was sent to the review team" in confirmed.text and "Travel time paid" in confirmed.text
    )
    proposed = db.scalar(select(Indicator).where(Indicator.name == "Travel time paid"))
    assert proposed.forum_id == forum.id and proposed.proposed_by_type == ProposerType.STAFF
    from_thread = client.get(f"/forums/{forum.id}/threads/{thread.id}")
    assert f"/forums/{forum.id}/indicators?thread={thread.id}" in from_thread.text
    prefilled = client.get(f"/forums/{forum.id}/indicators?thread={thread.id}")
    assert "Raised in the thread “Rotas”" in prefilled.text
    client.submit("/sign-out")

    client.sign_in(councillor.email, factories.PASSWORD)  # cannot read a members-only forum
    assert client.submit(action, {"name": "X"}).status_code == 404
    client.submit("/sign-out")
    client.sign_in("officer@example.org", factories.PASSWORD)
    table = client.get(f"/officer/reviews/{review.id}/indicators")
    assert "in the forum" in text_of(table) and "Care workers&#39; forum" in table.text
