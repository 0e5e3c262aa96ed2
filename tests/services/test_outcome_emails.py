"""Contributors told, on both databases: the sign-up on the confirmation page (its wording and time kept),
results emails in batches through the outbox, in each reader's language, with one unsubscribe link."""

import re

from sqlalchemy import select, update

from app.models.consultation import ConsultationState
from app.models.finding import ResultsSubscriber
from app.models.outbox import EmailOptOut, OutboxEmail
from app.models.petition import PetitionSignature
from app.services import consultations
from app.services.reviews import outcomes
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


def test_the_sign_up_asks_which_language_to_email_in(db, client):
    made, qs = make.consultation(db)
    reference, _ = make.submit(db, made, qs, "r1")
    db.flush()
    response = submit_form(client, f"/consultations/{made.id}/confirmation/{reference}",
                           f"/consultations/{made.id}/results-updates",
                           {"Email address": "cymraeg@example.org", "Cymraeg (Welsh)": True})
    assert response.status_code == 200
    chosen = db.scalar(select(ResultsSubscriber.language).where(ResultsSubscriber.email == "cymraeg@example.org"))
    assert chosen == "cy"
    submit_form(client, f"/consultations/{made.id}/confirmation/{reference}",
                f"/consultations/{made.id}/results-updates", {"Email address": "plain@example.org"})
    assert db.scalar(select(ResultsSubscriber.language).where(ResultsSubscriber.email == "plain@example.org")) == "en"


def test_panel_members_who_agreed_and_forum_followers_are_told_in_their_language(db):
    from app.models.forum import Forum, ForumVisibility, Thread, ThreadFollow
    from app.models.panel import PanelDrawRecord, PanelMember, PanelVolunteer, VolunteerSource
    from app.models.user import Role
    from app.services import panels
    from tests import factories
    from tests.services.test_panels import make_panel

    made = _published_with_contributors(db)
    panel = make_panel(db)
    draw = PanelDrawRecord(panel_id=panel.id, purpose="Home care review", size=2, seed=1,
                           consultation_id=made.id)
    db.add(draw)
    db.flush()
    for n, (consent, invited, language) in enumerate([(panel.consent_text, True, "cy"),  # told, in Welsh
                                                      (panel.consent_text, False, "en"),  # never invited
                                                      ("Letter, May", True, "en")]):  # consent says nothing
        volunteer = PanelVolunteer(panel_id=panel.id, name=f"V {n}", email=f"volunteer{n}@example.org",
                                   source=VolunteerSource.FORM, consent_text=consent, language=language)
        db.add(volunteer)
        db.flush()
        db.add(PanelMember(draw_id=draw.id, volunteer_id=volunteer.id, pool_ref=f"v{n}",
                           invited_at=made.created_at if invited else None))
    assert outcomes.PANEL_OUTCOME_CONSENT in panels.CONSENT_TEXT
    forum = Forum(review_id=made.review_id, title="Home care", visibility=ForumVisibility.PUBLIC)
    db.add(forum)
    db.flush()
    thread = Thread(forum_id=forum.id, title="Visit times")
    db.add(thread)
    follower = factories.user(db, Role.OFFICER, email="follower@example.org")
    db.flush()
    db.add(ThreadFollow(thread_id=thread.id, user_id=follower.id))
    db.flush()
    assert outcomes.send_results_batch(db, made.id, base_url="http://x", secret=SECRET) == 0
    told = {e.to_address: e.subject for e in _results_emails(db, made)}
    assert set(told) == {"resident@example.org", "signer@example.org", "volunteer0@example.org",
                         "follower@example.org"}
    assert told["volunteer0@example.org"].startswith("Canlyniadau")
    assert told["follower@example.org"] == f"Results published: {made.title}"
