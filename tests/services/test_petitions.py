"""Petitions: states and thresholds, moderation decisions, invalidation and undo, anonymisation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput, NotFound
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.outbox import OutboxEmail
from app.models.petition import InvalidationState, PetitionSignature, PetitionState, RejectionCode
from app.models.user import Role
from app.services import petitions, reviews
from app.services.petitions import anonymisation as petitions_anonymisation
from app.services.petitions import invalidation as petitions_invalidation
from app.services.petitions import moderation as petitions_moderation
from app.services.petitions.thresholds import check_thresholds
from tests import factories
from tests.services import test_petitions_factories as make


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER, email="petitions.officer@example.org")


@pytest.fixture
def small_thresholds(db):
    petitions.update_settings(db, actor_id=None, supporters_needed=2, response_threshold=3, debate_threshold=5)


def emails_to(db, address):
    return list(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)))


class TestStatesAndThresholds:
    def test_supporters_move_a_petition_to_moderation(self, db, officer, small_thresholds):
        target = make.petition(db, PetitionState.VALIDATED)
        make.confirmed(db, target)
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == []
        make.confirmed(db, target)
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == ["sponsored"]
        assert target.state == PetitionState.SPONSORED and target.sponsored_at is not None
        assert "awaits moderation" in emails_to(db, officer.email)[-1].subject
        assert petitions_moderation.moderation_queue(db) == [target]

    def test_crossing_thresholds_notifies_officers_and_opted_in_signers_once(self, db, officer,
                                                                             small_thresholds):
        target = make.petition(db)
        make.confirmed(db, target, "keen@example.org", notify=True)
        make.confirmed(db, target, "quiet@example.org")
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == []
        make.confirmed(db, target)
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == ["response"]
        assert target.response_threshold_reached_at is not None and target.public_status == "awaiting_response"
        assert "will get a council response" in emails_to(db, "keen@example.org")[-1].subject
        assert not [e for e in emails_to(db, "quiet@example.org") if "response" in e.subject]
        assert "has reached 3 signatures" in emails_to(db, officer.email)[-1].subject
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == []
        for _ in range(2):
            make.confirmed(db, target)
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == ["debate"]
        assert target.debate_threshold_reached_at is not None

    def test_invalidated_and_unconfirmed_signatures_do_not_count(self, db, small_thresholds):
        target = make.petition(db)
        for _ in range(2):
            make.confirmed(db, target)
        make.signed(db, target)
        assert petitions.signature_count(db, target.id) == 2
        assert check_thresholds(db, target.id, base_url=make.BASE_URL) == []

    def test_the_assigned_officer_alone_is_notified(self, db, officer, small_thresholds):
        other = factories.user(db, Role.OFFICER)
        target = make.petition(db, officer_id=other.id)
        for _ in range(3):
            make.confirmed(db, target)
        check_thresholds(db, target.id, base_url=make.BASE_URL)
        assert emails_to(db, other.email) and not emails_to(db, officer.email)


class TestModeration:
    def test_publish_opens_for_the_configured_duration_and_records_who(self, db, officer):
        target = make.petition(db, PetitionState.SPONSORED)
        petitions_moderation.publish(db, target, officer, base_url=make.BASE_URL)
        assert target.state == PetitionState.OPEN and target.moderated_by_id == officer.id
        assert target.closes_at - target.opened_at == timedelta(days=182)
        event = petitions_moderation.decisions(db, target.id)[-1]
        assert (event.action, event.actor_id) == ("petition.publish", officer.id)
        assert petitions.get_visible(db, target.id) is target

    def test_only_a_sponsored_petition_can_be_published(self, db, officer):
        with pytest.raises(Conflict):
            petitions_moderation.publish(db, make.petition(db, PetitionState.VALIDATED), officer,
                                         base_url=make.BASE_URL)

    def test_reject_with_a_standard_reason_stays_visible(self, db, officer):
        target = make.petition(db, PetitionState.SPONSORED)
        petitions_moderation.reject(db, target, officer, code=RejectionCode.NOT_COUNCIL, text="",
                                    base_url=make.BASE_URL)
        assert target.state == PetitionState.REJECTED
        assert petitions.search(db, status="rejected") == [target]
        detail = db.scalar(select(AuditEvent).where(AuditEvent.action == "petition.reject")).detail
        assert detail["code"] == "not_council"

    def test_offensive_petitions_are_hidden(self, db, officer):
        target = make.petition(db, PetitionState.SPONSORED)
        petitions_moderation.reject(db, target, officer, code=RejectionCode.OFFENSIVE, text="Abusive",
                                    base_url=make.BASE_URL)
        assert target.state == PetitionState.HIDDEN
        with pytest.raises(NotFound):
            petitions.get_visible(db, target.id)

    def test_a_written_reason_is_needed_for_other(self, db, officer):
        with pytest.raises(InvalidInput):
            petitions_moderation.reject(db, make.petition(db, PetitionState.SPONSORED), officer,
                                        code=RejectionCode.OTHER, text=" ", base_url=make.BASE_URL)

    def test_duplicate_points_to_a_published_petition(self, db, officer):
        original, copy = make.petition(db), make.petition(db, PetitionState.SPONSORED)
        with pytest.raises(InvalidInput):
            petitions_moderation.reject(db, copy, officer, code=RejectionCode.DUPLICATE, text="",
                                        duplicate_of=None, base_url=make.BASE_URL)
        petitions_moderation.reject(db, copy, officer, code=RejectionCode.DUPLICATE, text="",
                                    duplicate_of=original, base_url=make.BASE_URL)
        assert copy.duplicate_of_id == original.id
        creator_email = db.scalar(select(PetitionSignature.email).where(
            PetitionSignature.petition_id == copy.id, PetitionSignature.is_creator.is_(True)))
        assert f"/petitions/{original.id}" in emails_to(db, creator_email)[-1].body_text

    def test_response_and_debate_are_published(self, db, officer):
        target = make.petition(db)
        petitions_moderation.respond(db, target, officer, text="We will keep the service.",
                                     base_url=make.BASE_URL)
        petitions_moderation.record_debate(db, target, officer, outcome="Motion carried.", base_url=make.BASE_URL)
        assert target.public_status == "debated" and target.response_text == "We will keep the service."

    def test_expired_petitions_close(self, db):
        target = make.petition(db, closes_at=utcnow() - timedelta(minutes=1))
        assert petitions_moderation.close_expired(db) == 1
        db.refresh(target)
        assert target.state == PetitionState.CLOSED and target.closed_at is not None


class TestInvalidation:
    def test_preview_run_and_undo(self, db, officer):
        target = make.petition(db)
        for n in range(3):
            make.confirmed(db, target, f"bot{n}@bots.example", ip="203.0.113.66")
        make.confirmed(db, target, "real@example.org", ip="203.0.113.67")
        assert petitions.signature_count(db, target.id) == 4
        criteria = petitions_invalidation.clean_criteria(
            petition_id=target.id, ip_address="203.0.113.66", email_domain="", postcode="",
            created_from=None, created_to=None)
        invalidation = petitions_invalidation.preview(db, criteria, reason="Bot run", officer=officer)
        assert invalidation.matched_count == 3 and len(petitions_invalidation.sample(db, invalidation)) == 3
        assert petitions.signature_count(db, target.id) == 4  # a preview changes nothing
        petitions_invalidation.start(db, invalidation, officer)
        assert petitions_invalidation.run(db, invalidation.id) == 3
        assert petitions.signature_count(db, target.id) == 1
        assert invalidation.state == InvalidationState.COMPLETED
        petitions_invalidation.start_undo(db, invalidation, officer)
        assert petitions_invalidation.undo(db, invalidation.id) == 3
        assert petitions.signature_count(db, target.id) == 4
        assert db.scalar(select(func.count()).select_from(PetitionSignature)
                         .where(PetitionSignature.petition_id == target.id)) == 5

    def test_by_domain_network_and_postcode(self, db, officer):
        target = make.petition(db)
        make.confirmed(db, target, "a@bots.example", ip="10.1.2.3")
        make.confirmed(db, target, "b@example.org", ip="10.1.9.9")
        for kwargs, expected in [({"email_domain": "bots.example"}, 1), ({"ip_address": "10.1.0.0/16"}, 2),
                                 ({"postcode": "RV1"}, 3), ({"postcode": "rv1 2ab"}, 3)]:
            values = {"ip_address": "", "email_domain": "", "postcode": ""} | kwargs
            criteria = petitions_invalidation.clean_criteria(petition_id=target.id, created_from=None,
                                                             created_to=None, **values)
            assert petitions_invalidation.preview(db, criteria, reason="", officer=officer).matched_count == expected

    def test_some_criterion_is_required(self, db):
        with pytest.raises(InvalidInput):
            petitions_invalidation.clean_criteria(petition_id=None, ip_address="", email_domain="", postcode="",
                                                  created_from=None, created_to=None)


class TestAnonymisation:
    def test_signers_details_go_a_configured_time_after_closing(self, db):
        target = make.petition(db)
        recent = make.petition(db, PetitionState.CLOSED, closed_at=utcnow() - timedelta(days=10))
        make.confirmed(db, target, "private@example.org")
        target.state, target.closed_at = PetitionState.CLOSED, utcnow() - timedelta(days=183)
        db.flush()
        assert petitions_anonymisation.anonymise_due(db) == 1
        signatures = list(db.scalars(select(PetitionSignature).where(PetitionSignature.petition_id == target.id)
                                     .execution_options(populate_existing=True)))
        assert all(s.name is None and s.email is None and s.normalised_email is None and s.ip_address is None
                   for s in signatures)
        assert {s.postcode for s in signatures} == {"RV1"}
        assert petitions.signature_count(db, target.id) == 1  # the creator never confirmed
        assert petitions_anonymisation.due_for_anonymisation(db, utcnow()) == []
        assert recent.anonymised_at is None


def test_petitions_for_review_are_evidence(db):
    review = reviews.create_review(db, title="Home care review", service="Home care")
    target = make.petition(db, review_id=review.id)
    make.petition(db, PetitionState.SPONSORED, review_id=review.id)
    make.confirmed(db, target)
    [evidence] = petitions.petitions_for_review(db, review.id)
    assert (evidence.id, evidence.signature_count, evidence.state) == (target.id, 1, "open")
