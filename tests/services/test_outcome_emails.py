"""Contributors told, on both databases: the sign-up on the confirmation page (its wording and time kept),
results emails in batches through the outbox, in each reader's language, with one unsubscribe link."""

import re

from sqlalchemy import select, update

from app.models.consultation import ConsultationState
from app.models.finding import ResultsSubscriber
from app.models.outbox import EmailOptOut, OutboxEmail
from app.models.petition import PetitionSignature
from app.services import consultations, outcomes
from tests.forms import submit_form
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as petition_factories

SECRET = "test-secret"


def _published_with_contributors(db):
    made, qs = make.consultation(db)
    make.submit(db, made, qs, "r1")
    outcomes.subscribe(db, made, "resident@example.org")
    target = petition_factories.petition(db, review_id=made.review_id)
    petition_factories.confirmed(db, target, "signer@example.org", notify=True)
    db.execute(update(PetitionSignature).where(PetitionSignature.email == "signer@example.org")
               .values(language="cy"))
    petition_factories.confirmed(db, target, "quiet@example.org")  # did not ask for news
    consultations.close_consultation(db, made)
    consultations.publish_consultation(db, made)
    db.flush()
    return made


def _results_emails(db, made):
    return list(db.scalars(select(OutboxEmail).where(OutboxEmail.concerns == outcomes.results_marker(made.id))
                           .order_by(OutboxEmail.id)))


def test_the_confirmation_page_offers_the_results_sign_up_and_keeps_its_wording(db, client):
    made, qs = make.consultation(db)
    reference, _ = make.submit(db, made, qs, "r1")
    db.flush()
    response = submit_form(client, f"/consultations/{made.id}/confirmation/{reference}",
                           f"/consultations/{made.id}/results-updates", {"Email address": "me@example.org"})
    assert response.status_code == 200 and "We will email you" in response.text
    subscriber = db.scalar(select(ResultsSubscriber).where(ResultsSubscriber.email == "me@example.org"))
    assert subscriber.consent_wording == outcomes.SIGN_UP_WORDING and subscriber.created_at is not None
    assert outcomes.SIGN_UP_WORDING in client.get(f"/consultations/{made.id}/confirmation/{reference}").text


def test_everyone_who_opted_in_is_told_once_in_batches_in_their_language(db):
    made = _published_with_contributors(db)
    assert outcomes.send_results_batch(db, made.id, base_url="http://x", secret=SECRET, batch=1) == 1
    assert outcomes.send_results_batch(db, made.id, base_url="http://x", secret=SECRET, batch=1) == 0
    assert outcomes.send_results_batch(db, made.id, base_url="http://x", secret=SECRET, batch=1) == 0
    emails = _results_emails(db, made)
    assert [e.to_address for e in emails] == ["resident@example.org", "signer@example.org"]
    english, welsh = emails
    assert english.subject == f"Results published: {made.title}"
    assert welsh.subject.startswith("Canlyniadau")
    for email in emails:
        assert f"/consultations/{made.id}/you-said-we-did" in email.body_text
        assert len(re.findall(r"http://x/unsubscribe/[0-9a-f]{64}/[0-9a-f]{32}", email.body_text)) == 1
    assert db.scalar(select(ResultsSubscriber.notified_at)) is not None  # so retention deletes it


def test_publishing_the_outcome_tells_people_through_the_job(db, client):
    from app.models.user import Role
    from tests import factories

    made = _published_with_contributors(db)
    officer = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(officer.email, factories.PASSWORD)
    response = client.submit(f"/officer/consultations/{made.id}/outcome", [
        ("decision", "We will keep the in-house service."), ("notify", "yes")])
    assert response.status_code == 303
    assert {e.to_address for e in _results_emails(db, made)} == {"resident@example.org", "signer@example.org"}


def test_the_one_unsubscribe_link_stops_results_emails(db, client):
    made = _published_with_contributors(db)
    link = outcomes.unsubscribe_link("http://testserver", client.app.state.settings.secret_key,
                                     "Signer@Example.org")
    path = link.removeprefix("http://testserver")
    assert client.get(path.replace(path[-4:], "0000")).status_code == 200  # the page; the button checks
    assert client.submit(path[:-4] + "0000").status_code == 404
    page = submit_form(client, path, path)
    assert page.status_code == 200 and "no more of these emails" in page.text
    assert db.scalars(select(EmailOptOut)).all()
    outcomes.send_results_batch(db, made.id, base_url="http://x", secret=SECRET)
    assert [e.to_address for e in _results_emails(db, made)] == ["resident@example.org"]
    assert made.state == ConsultationState.PUBLISHED
