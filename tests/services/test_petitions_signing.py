"""Signing: one signature per person, confirmation tokens, concurrency, rate limits, block lists."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, RateLimited
from app.models.base import utcnow
from app.models.outbox import OutboxEmail
from app.models.petition import PetitionAddressRule, PetitionSignature, PetitionState, RuleAction, RuleKind
from app.ratelimit import RateLimiter
from app.services import petitions
from app.services.petitions import rules as petitions_rules
from app.services.petitions.signing import ConfirmOutcome, SignOutcome, confirm_signature, sign
from tests.services import test_petitions_factories as make


def rows(db, petition_id):
    return db.scalar(select(func.count()).select_from(PetitionSignature)
                     .where(PetitionSignature.petition_id == petition_id))


class TestSigning:
    def test_a_signature_counts_only_once_confirmed(self, db):
        target = make.petition(db)
        _outcome, token = make.signed(db, target, "ada@example.org")
        assert petitions.signature_count(db, target.id) == 0
        assert confirm_signature(db, token, base_url=make.BASE_URL).outcome == ConfirmOutcome.CONFIRMED
        assert petitions.signature_count(db, target.id) == 1

    def test_the_same_person_in_other_spellings_is_stored_once(self, db):
        target = make.petition(db)
        outcomes = [make.signed(db, target, email)[0] for email in
                    ["jane.doe@gmail.com", "JaneDoe+x@gmail.com", "j.a.n.e.d.o.e@googlemail.com"]]
        assert outcomes == [SignOutcome.SIGNED, SignOutcome.ALREADY, SignOutcome.ALREADY]
        assert rows(db, target.id) == 2  # the creator and Jane

    def test_a_second_signature_is_answered_by_email_not_on_the_page(self, db):
        target = make.petition(db)
        make.confirmed(db, target, "sam@example.org")
        before = db.scalar(select(func.count()).select_from(OutboxEmail))
        make.signed(db, target, "Sam@Example.org")
        emails = list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(1)))
        assert db.scalar(select(func.count()).select_from(OutboxEmail)) == before + 1
        assert "already signed" in emails[0].subject and emails[0].to_address == "sam@example.org"
        assert petitions.signature_count(db, target.id) == 1

    def test_unmoderated_and_closed_petitions_cannot_be_signed(self, db):
        for state in (PetitionState.PENDING, PetitionState.CLOSED, PetitionState.REJECTED):
            target = make.petition(db, state)
            with pytest.raises(Conflict):
                make.signed(db, target)


class TestConfirmation:
    def test_a_token_counts_once(self, db):
        target = make.petition(db)
        _outcome, token = make.signed(db, target)
        confirm_signature(db, token, base_url=make.BASE_URL)
        again = confirm_signature(db, token, base_url=make.BASE_URL)
        assert again.outcome == ConfirmOutcome.ALREADY
        assert petitions.signature_count(db, target.id) == 1

    def test_an_expired_token_counts_nothing(self, db):
        target = make.petition(db)
        _outcome, token = make.signed(db, target)
        later = utcnow() + timedelta(hours=73)
        assert confirm_signature(db, token, base_url=make.BASE_URL, now=later).outcome == ConfirmOutcome.EXPIRED
        assert petitions.signature_count(db, target.id) == 0

    def test_an_unknown_token_is_unknown(self, db):
        assert confirm_signature(db, "made-up", base_url=make.BASE_URL).outcome == ConfirmOutcome.UNKNOWN

    def test_the_creator_confirming_opens_gathering_supporters(self, db):
        target = make.petition(db, PetitionState.PENDING)
        creator = db.scalar(select(PetitionSignature).where(PetitionSignature.petition_id == target.id))
        from app.tokens import new_token, token_hash

        token = new_token()
        creator.token_hash = token_hash(token)
        confirm_signature(db, token, base_url=make.BASE_URL)
        assert target.state == PetitionState.VALIDATED
        share = db.scalar(select(OutboxEmail).where(OutboxEmail.subject.startswith("Share your petition")))
        assert f"/petitions/support/{target.support_token}" in share.body_text


def test_fifty_concurrent_signatures_with_one_email_store_one(committed_database):
    with committed_database.transaction() as db:
        target_id = make.petition(db).id
    spellings = ["same.person@gmail.com", "SamePerson@gmail.com", "same.person+a@googlemail.com"]
    barrier = threading.Barrier(50)
    outcomes, errors = [], []

    def sign_once(n):
        try:
            barrier.wait()
            with committed_database.transaction() as db:
                target = petitions.get_petition(db, target_id)
                outcomes.append(sign(db, target, make.signer(spellings[n % 3]), ip=f"203.0.113.{n}",
                                     settings=petitions.current_settings(db),
                                     rules=petitions_rules.RuleSet(), limiter=None, base_url=make.BASE_URL))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=sign_once, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes).count(SignOutcome.SIGNED) == 1 and len(outcomes) == 50
    with committed_database.transaction(write=False) as db:
        assert db.scalar(select(func.count()).select_from(PetitionSignature).where(
            PetitionSignature.petition_id == target_id, PetitionSignature.is_creator.is_(False))) == 1


class TestAntiAbuse:
    def test_the_short_limit_per_address_per_petition(self, db):
        limiter = RateLimiter("memory://")
        target, other = make.petition(db), make.petition(db)
        for _ in range(5):  # a household or a library PC: five a minute by default
            make.signed(db, target, ip="192.0.2.1", limiter=limiter)
        with pytest.raises(RateLimited):
            make.signed(db, target, ip="192.0.2.1", limiter=limiter)
        make.signed(db, target, ip="192.0.2.2", limiter=limiter)
        make.signed(db, other, ip="192.0.2.1", limiter=limiter)

    def test_the_long_limit_when_the_short_limit_is_relaxed(self, db):
        petitions.update_settings(db, actor_id=None, signing_limit_per_address_short="100/minute")
        limiter = RateLimiter("memory://")
        target = make.petition(db)
        for _ in range(30):
            make.signed(db, target, ip="192.0.2.9", limiter=limiter)
        with pytest.raises(RateLimited):
            make.signed(db, target, ip="192.0.2.9", limiter=limiter)

    def test_an_allowed_address_is_exempt(self, db):
        petitions_rules.add_rule(db, kind=RuleKind.ADDRESS, value="192.0.2.0/24", action=RuleAction.ALLOW,
                                 note="Central library", actor_id=None)
        rules, limiter, target = petitions_rules.load_rules(db), RateLimiter("memory://"), make.petition(db)
        for _ in range(3):
            make.signed(db, target, ip="192.0.2.77", limiter=limiter, rules=rules)

    def test_a_blocked_domain_is_dropped_silently_unless_a_subdomain_is_allowed(self, db):
        for value, action in [("spam.example", RuleAction.BLOCK), ("ok.spam.example", RuleAction.ALLOW)]:
            petitions_rules.add_rule(db, kind=RuleKind.DOMAIN, value=value, action=action, note="",
                                     actor_id=None)
        rules, target = petitions_rules.load_rules(db), make.petition(db)
        assert make.signed(db, target, "a@spam.example", rules=rules)[0] == SignOutcome.DROPPED
        assert make.signed(db, target, "b@x.spam.example", rules=rules)[0] == SignOutcome.DROPPED
        assert make.signed(db, target, "c@ok.spam.example", rules=rules)[0] == SignOutcome.SIGNED
        assert rows(db, target.id) == 2
        assert db.scalar(select(func.count()).select_from(PetitionAddressRule)) == 2
