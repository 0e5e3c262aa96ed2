"""Residents' light accounts (issue 27), on both databases: the emailed one-time link (single use, 30
minutes, hashed at rest, limited, the same answer for every address), replying in public forums only,
following a consultation, petition or thread in the resident's language, their own data and its
erasure, and suspension by a moderator."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock, i18n
from app.errors import Forbidden, InvalidInput, NotFound, RateLimited
from app.models.audit import AuditEvent
from app.models.finding import ResultsSubscriber
from app.models.forum import Post, ThreadFollow
from app.models.organisation import OrganisationType
from app.models.outbox import OutboxEmail
from app.models.petition import PetitionSignature
from app.models.resident import PetitionFollow, ResidentSignInLink
from app.models.user import Role, StaffSession, User
from app.ratelimit import RateLimiter
from app.services import accounts, consultations, residents
from app.services.accounts import residents as resident_accounts
from app.services.forums import notifications as forums_notifications
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import can_post, can_start_thread, get_forum, get_thread
from app.services.petitions.thresholds import notify_signers
from app.services.privacy import subject_access
from app.services.reviews import outcomes
from app.tokens import token_hash
from tests.services import consultation_helpers as make
from tests.services import test_petitions_factories as petition_factories
from tests.services.test_forums_visibility import SECRET, build_world

BASE = "http://chorus.test"
ADDRESS = "rhian.resident@example.org"


def _emails(db, to=ADDRESS) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id)))


def _token_from(email: OutboxEmail) -> str:
    return re.search(r"/sign-in/email/([A-Za-z0-9_-]+)", email.body_text).group(1)


def _ask(db, address=ADDRESS, **kwargs) -> str | None:
    resident_accounts.request_link(db, address, base_url=BASE, **kwargs)
    last = _emails(db, address.strip().lower())[-1]
    found = re.search(r"/sign-in/email/([A-Za-z0-9_-]+)", last.body_text)
    return found.group(1) if found else None


def resident(db, address=ADDRESS, name="Rhian", language="en") -> User:
    """A resident's account made the way a person makes one: a link, then the name and language."""
    token = _ask(db, address)
    return resident_accounts.use_link(db, token, display_name=name, language=language)


class TestSignInLinks:
    def test_the_link_is_in_the_language_of_the_page_that_asked_for_it(self, db):
        with i18n.use_locale("cy"):
            _ask(db, "cymraeg@example.org")
        email = _emails(db, "cymraeg@example.org")[-1]
        assert email.subject == "Eich dolen i fewngofnodi i Chorus" and "am 30 munud" in email.body_text
        assert '<html lang="cy">' in email.body_html and "minutes" not in email.body_text

    def test_the_link_creates_the_account_once_and_keeps_only_a_hash(self, db):
        token = _ask(db, "Rhian.Resident@Example.org ")
        email = _emails(db)[-1]
        assert "works once, for 30 minutes" in email.body_text and "munud" not in email.body_text
        stored = db.scalars(select(ResidentSignInLink)).all()
        assert [link.token_hash for link in stored] == [token_hash(token)]
        assert token not in {link.token_hash for link in stored}
        with pytest.raises(InvalidInput) as error:
            resident_accounts.use_link(db, token, display_name="  ")
        assert "display_name" in error.value.errors
        user = resident_accounts.use_link(db, token, display_name="Rhian  Jones", language="cy")
        assert (user.email, user.display_name, user.role, user.language) == (
            ADDRESS,
            "Rhian Jones",
            Role.RESIDENT,
            "cy",
        )
        assert accounts.authenticate(db, ADDRESS, "!") is None  # no password signs a resident in
        with pytest.raises(NotFound):
            resident_accounts.use_link(db, token)  # single use
        assert db.scalar(select(func.count()).select_from(ResidentSignInLink)) == 0
        db.expire_all()
        assert token not in _emails(db)[-1].body_text  # struck out of the outbox once used
        # The next link signs the same account in, with no questions.
        again = _ask(db)
        assert resident_accounts.open_link(db, again).account.id == user.id
        assert resident_accounts.use_link(db, again).id == user.id
        assert db.scalar(select(func.count()).select_from(User).where(User.email == ADDRESS)) == 1

    def test_a_link_expires_after_30_minutes_and_a_new_one_replaces_it(self, db):
        first = _ask(db)
        second = _ask(db)
        with pytest.raises(NotFound):
            resident_accounts.open_link(db, first)  # asking again stops the earlier link
        try:
            clock.advance(timedelta(minutes=29))
            assert resident_accounts.open_link(db, second).account is None
            clock.advance(timedelta(minutes=2))
            with pytest.raises(NotFound):
                resident_accounts.use_link(db, second, display_name="Rhian")
            _ask(db, "someone.else@example.org")  # any request deletes expired links, addresses and all
            assert (
                db.scalar(
                    select(func.count())
                    .select_from(ResidentSignInLink)
                    .where(ResidentSignInLink.email == ADDRESS)
                )
                == 0
            )
        finally:
            clock.reset()

    def test_staff_and_suspended_addresses_get_no_link(self, db):
        officer = accounts.create_user(
            db, email="officer.x@example.org", password="correct horse battery", role=Role.OFFICER
        )
        assert _ask(db, officer.email) is None
        assert "sign in with their password" in _emails(db, officer.email)[-1].body_text
        user = resident(db)
        resident_accounts.suspend(db, user, moderator=officer, reason="Abusive replies")
        assert _ask(db) is None
        assert "suspended" in _emails(db)[-1].body_text
        assert db.scalar(select(func.count()).select_from(ResidentSignInLink)) == 0

    def test_limits_per_connection_per_address_and_new_accounts(self, db):
        limiter = RateLimiter("memory://")
        for _ in range(3):
            _ask(db, limiter=limiter, connection="198.51.100.1")
        with pytest.raises(RateLimited):
            _ask(db, limiter=limiter, connection="198.51.100.2")  # 3 an hour for one address, anywhere
        for n in range(7):
            _ask(db, f"p{n}@example.org", limiter=limiter, connection="198.51.100.1")
        with pytest.raises(RateLimited):
            _ask(db, "p9@example.org", limiter=limiter, connection="198.51.100.1")  # 10 from one connection
        for n in range(5):
            token = _ask(db, f"new{n}@example.org", limiter=limiter, connection=f"203.0.113.{n}")
            resident_accounts.use_link(
                db, token, display_name=f"N{n}", limiter=limiter, connection="192.0.2.9"
            )
        token = _ask(db, "new9@example.org", limiter=limiter, connection="203.0.113.99")
        with pytest.raises(RateLimited):
            resident_accounts.use_link(db, token, display_name="N9", limiter=limiter, connection="192.0.2.9")

    def test_staff_password_reset_and_invitations_never_touch_a_resident(self, db):
        from app.services.accounts import staff

        user = resident(db)
        staff.request_reset(db, ADDRESS, base_url=BASE)
        assert not [e for e in _emails(db) if "password" in e.subject.lower()]
        admin = accounts.create_user(
            db, email="admin.x@example.org", password="correct horse battery", role=Role.ADMIN
        )
        with pytest.raises(InvalidInput):
            accounts.invite(
                db, email="new@example.org", role=Role.RESIDENT, organisation_id=None, invited_by=admin
            )
        assert user not in accounts.list_users(db)


class TestForums:
    def test_residents_reply_in_public_forums_only_under_the_same_rules(self, db):
        world = build_world(db)
        user = resident(db)
        officer = world.users["officer"]
        threads = {}
        for name, forum in world.forums.items():
            loaded = get_forum(db, officer, forum.id)
            threads[name], _ = forums_posting.start_thread(
                db, Poster(officer, SECRET), loaded, title="T", body="Opening"
            )
        public = get_thread(db, user, world.forums["public"].id, threads["public"].id)
        assert can_post(user, public.forum, public) and not can_start_thread(user, public.forum)
        with pytest.raises(Forbidden):
            forums_posting.start_thread(db, Poster(user, SECRET), public.forum, title="Mine", body="Words")
        post = forums_posting.reply(
            db, Poster(user, SECRET), public, body="Evening visits please <script>alert(1)</script>"
        )
        assert "<script>" not in post.body_html and post.author_id == user.id
        for name in ("members_a", "members_b", "staff"):
            with pytest.raises(NotFound):
                get_thread(db, user, world.forums[name].id, threads[name].id)
        limiter = RateLimiter("memory://")
        with pytest.raises(RateLimited):
            for n in range(6):
                forums_posting.reply(db, Poster(user, SECRET, limiter), public, body=f"Reply {n}")


class TestFollowing:
    def test_a_followed_consultation_tells_its_outcome_in_the_residents_language(self, db):
        made, _qs = make.consultation(db)
        user = resident(db, language="cy")
        residents.follow_consultation(db, user, made.id)
        residents.follow_consultation(db, user, made.id)  # twice is once
        assert residents.is_following_consultation(db, user, made.id)
        assert [c.id for c, _told in residents.follows(db, user).consultations] == [made.id]
        consultations.close_consultation(db, made)
        consultations.publish_consultation(db, made)
        outcomes.send_results_batch(db, made.id, base_url=BASE, secret="s")
        told = [e for e in _emails(db) if e.concerns == outcomes.results_marker(made.id)]
        assert len(told) == 1 and told[0].subject.startswith("Canlyniadau")
        other, _ = make.consultation(db)
        residents.follow_consultation(db, user, other.id)
        residents.unfollow_consultation(db, user, other.id)
        assert not residents.is_following_consultation(db, user, other.id)
        staff_user = accounts.create_user(
            db, email="o@example.org", password="correct horse battery", role=Role.OFFICER
        )
        with pytest.raises(Forbidden):
            residents.follow_consultation(db, staff_user, made.id)

    def test_a_followed_petition_tells_its_news_once(self, db):
        petition = petition_factories.petition(db)
        user = resident(db, "follower@example.org")
        residents.follow_petition(db, user, petition.id)
        residents.follow_petition(db, user, petition.id)  # twice is once
        petition_factories.confirmed(db, petition, "signer@example.org", notify=True)
        welsh = resident(db, "dilynwr@example.org", language="cy")
        residents.follow_petition(db, welsh, petition.id)
        sent = notify_signers(db, petition, BASE, "petition_answered", kind="response", answer="Yes.")
        assert sent == 3
        body = _emails(db, "follower@example.org")[-1].body_text
        assert "The council has responded to the petition you follow" in body and "/my-chorus" in body
        assert "Yes." in body
        assert _emails(db, "dilynwr@example.org")[-1].subject.startswith("Mae’r cyngor wedi ymateb")
        notify_signers(db, petition, BASE, "petition_threshold_signers", kind="debate", threshold=10000)
        assert "The petition you follow has reached 10,000 signatures, so it will be debated" in (
            _emails(db, "follower@example.org")[-1].body_text
        )
        residents.unfollow_petition(db, user, petition.id)
        assert notify_signers(db, petition, BASE, "petition_answered", kind="debate", answer="Agreed.") == 2

    def test_the_thread_digest_comes_in_the_followers_language(self, db):
        world = build_world(db)
        user = resident(db, language="cy")
        forum = get_forum(db, world.users["officer"], world.forums["public"].id)
        thread, _ = forums_posting.start_thread(
            db, Poster(world.users["officer"], SECRET), forum, title="Oriau", body="Agor"
        )
        forums_notifications.follow(db, user, thread)
        forums_posting.reply(db, Poster(world.users["member_a"], SECRET), thread, body="Ar ddydd Sul")
        assert forums_notifications.send_digests(db, BASE) >= 1
        digest = _emails(db)[-1]
        assert digest.subject.startswith("Negeseuon newydd") and "Ar ddydd Sul" in digest.body_text


class TestMyDataAndDeletion:
    def test_a_resident_sees_and_erases_their_own_data(self, db):
        world = build_world(db)
        user = resident(db)
        public = get_forum(db, world.users["officer"], world.forums["public"].id)
        thread, _ = forums_posting.start_thread(
            db, Poster(world.users["officer"], SECRET), public, title="T", body="Opening"
        )
        post = forums_posting.reply(db, Poster(user, SECRET), thread, body="My own reply")
        forums_notifications.follow(db, user, thread)
        petition = petition_factories.petition(db)
        petition_factories.confirmed(db, petition, ADDRESS)
        residents.follow_petition(db, user, petition.id)
        made, _qs = make.consultation(db)
        residents.follow_consultation(db, user, made.id)
        held = subject_access.own_holdings(db, user).sections
        assert [p["body_text"] for p in held["forum_posts"]] == ["My own reply"]
        assert (
            len(held["signatures"]) == len(held["followed_petitions"]) == len(held["followed_threads"]) == 1
        )
        assert len(held["results_subscriptions"]) == 1
        with pytest.raises(Forbidden):
            subject_access.own_holdings(db, world.users["officer"])
        session_token = accounts.start_session(db, user)
        counts = subject_access.erase_own(db, user)
        assert counts["forum_posts"] == counts["followed_petitions"] == counts["followed_threads"] == 1
        db.expire_all()
        assert (
            db.get(Post, post.id).body_text == subject_access.REMOVED_POST
            and db.get(Post, post.id).author_id is None
        )
        assert not db.scalars(select(PetitionFollow)).all()
        assert not db.scalars(select(ResultsSubscriber)).all()
        assert not db.scalars(select(ThreadFollow).where(ThreadFollow.user_id == user.id)).all()
        assert not db.scalars(
            select(StaffSession).where(StaffSession.token_hash == token_hash(session_token))
        ).all()
        assert not db.scalars(select(PetitionSignature).where(PetitionSignature.email == ADDRESS)).all()
        gone = db.get(User, user.id)
        assert gone.email.endswith("@erased.invalid") and not gone.is_active
        assert not _emails(db)
        record = db.scalar(select(AuditEvent).where(AuditEvent.action == "resident.erase_own_account"))
        assert record.actor_id is None and ADDRESS not in str(record.detail)
        assert record.detail["address_sha256"] == subject_access.address_hash(ADDRESS)


class TestSuspension:
    def test_a_moderator_suspends_and_restores_audited(self, db):
        officer = accounts.create_user(
            db, email="mod@example.org", password="correct horse battery", role=Role.OFFICER
        )
        organiser = accounts.create_user(
            db,
            email="org@example.org",
            password="correct horse battery",
            role=Role.ORGANISER,
            organisation_id=accounts.create_organisation(
                db, name="Tenants", type=OrganisationType.TENANTS
            ).id,
        )
        user = resident(db)
        accounts.start_session(db, user)
        with pytest.raises(Forbidden):
            resident_accounts.suspend(db, user, moderator=organiser, reason="x")
        with pytest.raises(InvalidInput):
            resident_accounts.suspend(db, user, moderator=officer, reason=" ")
        resident_accounts.suspend(db, user, moderator=officer, reason="Repeated abuse")
        assert not user.is_active
        assert not db.scalars(select(StaffSession).where(StaffSession.user_id == user.id)).all()
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "resident.suspend"))
        assert (event.actor_id, event.object_id, event.detail["reason"]) == (
            officer.id,
            user.id,
            "Repeated abuse",
        )
        assert [r.id for r in resident_accounts.residents(db, officer, "rhian")] == [user.id]
        with pytest.raises(NotFound):
            resident_accounts.get_resident(db, officer, officer.id)
        resident_accounts.restore(db, user, moderator=officer)
        assert user.is_active
        assert (
            db.scalar(select(AuditEvent).where(AuditEvent.action == "resident.restore")).actor_id
            == officer.id
        )
