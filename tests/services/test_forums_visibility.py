"""Who can read, post in and moderate each kind of forum: every forum type against every role,
through the SQL rule (lists) and the Python rule (details), which must agree."""

import itertools
from dataclasses import dataclass
from functools import cache

import pytest

from app.errors import NotFound
from app.models.forum import Forum, ForumVisibility, Post, PostStatus
from app.models.organisation import OrganisationType
from app.models.user import Role, User
from app.passwords import hash_password
from app.services import forums
from app.services.forums import posting as forums_posting
from app.services.forums import search as forums_search
from app.services.forums.posting import Poster
from app.services.forums.visibility import (
    can_moderate,
    can_post,
    can_read,
    get_forum,
    visible_forums,
    visible_posts,
)
from app.services.reviews import create_review
from tests import factories

SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


@dataclass
class World:
    review: object
    users: dict[str, User | None]
    forums: dict[str, Forum]


_numbers = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(factories.PASSWORD)


def fast_user(db, role: Role, organisation_id: int | None = None) -> User:
    """An account without hashing a password for each test (argon2 is slow on purpose)."""
    n = next(_numbers)
    user = User(email=f"forum-person{n}@example.org", display_name=f"Forum Person {n}",
                password_hash=_password_hash(), role=role, organisation_id=organisation_id)
    db.add(user)
    db.flush()
    return user


def build_world(db) -> World:
    review = create_review(db, title="Home care review", service="Home care")
    org_a = factories.organisation(db, name="Tenants A", type=OrganisationType.TENANTS)
    org_b = factories.organisation(db, name="Union B", type=OrganisationType.TRADE_UNION)
    org_c = factories.organisation(db, name="In-house care C", type=OrganisationType.COUNCIL_SERVICE)
    users = {
        "anonymous": None,
        "admin": fast_user(db, Role.ADMIN),
        "officer": fast_user(db, Role.OFFICER),
        "organiser_a": fast_user(db, Role.ORGANISER, org_a.id),
        "member_a": fast_user(db, Role.MEMBER, org_a.id),
        "organiser_b": fast_user(db, Role.ORGANISER, org_b.id),
        "member_b": fast_user(db, Role.MEMBER, org_b.id),
        "member_c": fast_user(db, Role.MEMBER, org_c.id),
    }
    officer = users["officer"]
    made = {
        "public": forums.create_forum(db, officer, review_id=review.id, title="Public forum",
                                      visibility=ForumVisibility.PUBLIC, organisation_id=org_a.id),
        "members_a": forums.create_forum(db, officer, review_id=review.id, title="A members",
                                         visibility=ForumVisibility.MEMBERS_ONLY, organisation_id=org_a.id),
        "members_b": forums.create_forum(db, officer, review_id=review.id, title="B members",
                                         visibility=ForumVisibility.MEMBERS_ONLY, organisation_id=org_b.id),
        "staff": forums.create_forum(db, officer, review_id=review.id, title="Staff forum",
                                     visibility=ForumVisibility.STAFF_ONLY,
                                     member_organisation_ids=[org_c.id]),
    }
    db.flush()
    return World(review, users, made)


def sign_in(client, db, user: User | None) -> None:
    """Start a session directly (the sign-in form is tested elsewhere; argon2 is slow)."""
    from app.auth import SESSION_COOKIE
    from app.services.accounts import start_session

    client.cookies.clear()
    if user is not None:
        client.cookies.set(SESSION_COOKIE, start_session(db, user))
        db.flush()


READERS = {
    "public": {"anonymous", "admin", "officer", "organiser_a", "member_a", "organiser_b", "member_b",
               "member_c"},
    "members_a": {"admin", "officer", "organiser_a", "member_a"},
    "members_b": {"admin", "officer", "organiser_b", "member_b"},
    "staff": {"admin", "officer", "member_c"},
}
MODERATORS = {
    "public": {"admin", "officer", "organiser_a"},
    "members_a": {"admin", "officer", "organiser_a"},
    "members_b": {"admin", "officer", "organiser_b"},
    "staff": {"admin", "officer"},
}


@pytest.fixture
def world(db):
    return build_world(db)


class TestReadingRules:
    def test_every_forum_type_against_every_role(self, db, world):
        for who, viewer in world.users.items():
            listed = {f.id for f in db.scalars(visible_forums(viewer))}
            for name, forum in world.forums.items():
                expected = who in READERS[name]
                loaded = get_forum(db, world.users["admin"], forum.id)
                assert (forum.id in listed) is expected, (who, name)
                assert can_read(viewer, loaded) is expected, (who, name)
                if expected:
                    assert get_forum(db, viewer, forum.id).id == forum.id
                else:
                    with pytest.raises(NotFound):
                        get_forum(db, viewer, forum.id)

    def test_posting_and_moderating_rules(self, db, world):
        for who, viewer in world.users.items():
            for name, forum in world.forums.items():
                loaded = get_forum(db, world.users["admin"], forum.id)
                assert can_post(viewer, loaded) is (who in READERS[name] and who != "anonymous"), (who, name)
                assert can_moderate(viewer, loaded) is (who in MODERATORS[name]), (who, name)

    def test_a_member_of_a_cannot_read_b_members_forum_posts_through_lists_or_search(self, db, world):
        poster = Poster(world.users["member_b"], SECRET)
        forum_b = get_forum(db, world.users["member_b"], world.forums["members_b"].id)
        forums_posting.start_thread(db, poster, forum_b, title="Pay talks", body="zebra-secret pay offer")
        member_a = world.users["member_a"]
        assert not list(db.scalars(visible_posts(member_a).where(Post.forum_id == forum_b.id)))
        assert forums_search.search_posts(db, member_a, "zebra-secret") == []
        assert len(forums_search.search_posts(db, world.users["member_b"], "zebra-secret")) == 1
        assert forum_b.id not in {s.forum.id for s in forums.list_forums(db, member_a)}


class TestHiddenPostsNeverLeak:
    def test_hidden_and_pending_posts_are_not_visible_posts(self, db, world):
        from app.services.forums import moderation as forums_moderation

        officer = world.users["officer"]
        forum = get_forum(db, officer, world.forums["public"].id)
        _, post = forums_posting.start_thread(db, Poster(world.users["member_a"], SECRET), forum,
                                              title="Visits", body="a quokka-word here")
        forums_moderation.hide(db, officer, forum, post, reason="Names a care worker")
        for viewer in world.users.values():
            assert post.id not in {p.id for p in db.scalars(visible_posts(viewer))}
            assert forums_search.search_posts(db, viewer, "quokka") == []
        assert post.status == PostStatus.HIDDEN
