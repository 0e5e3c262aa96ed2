"""Dev Sharma, who organises for UNISON Riverside Branch, invites Rosa to join the branch on Chorus,
starts a thread in the members-only forum for care staff and carers, and Rosa replies. Also at
desktop size, and with JavaScript off for Rosa (a member could have it off)."""

import pytest

from tests.browser.helpers import link_in

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("desktop", True), ("phone", False)]
FORUM = "Care staff and carers (members only)"


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=["phone", "desktop", "phone-no-js"])
def test_dev_starts_a_members_only_thread_and_rosa_replies(journey, live_server, viewport, javascript):
    variant = f"{viewport}{'' if javascript else '-nojs'}"
    rosa_email = f"rosa.{variant}@unison.example"
    title = f"Rotas for the winter ({variant})"

    dev = journey("forum", viewport=viewport)
    dev.sign_in("organiser@unison.example")
    dev.goto("/organisations/unison-riverside-branch")
    dev.fill("Their email address", rosa_email)
    dev.press("Send invitation")
    assert rosa_email in dev.text()

    rosa = journey("forum", viewport=viewport, javascript=javascript)
    invitation = live_server.wait_for_email(rosa_email, "Join UNISON Riverside Branch")
    rosa.goto(link_in(invitation, r"/invitations/"))
    rosa.fill("Your name", f"Rosa Delgado {variant}")
    rosa.fill("Choose a password", "winter rota kettle lantern")
    rosa.press("Create account")
    rosa.assert_all_checked()

    dev.goto("/forums")
    dev.follow(FORUM)
    assert dev.heading() == FORUM
    dev.fill("Title", title)
    dev.fill("Your post", "We are short on the early visits again this winter.\n\n"
                          "- Who can swap a shift?\n- Who needs cover for school runs?")
    dev.shot("1-new-thread")
    dev.press("Start thread")
    assert dev.heading() == title
    dev.shot("2-thread")
    dev.assert_all_checked()

    rosa.goto("/forums")
    rosa.follow(FORUM)
    rosa.follow(title)
    rosa.fill("Your reply", "I can swap Tuesday earlies for Thursday lates.")
    rosa.press("Post reply")
    assert "I can swap Tuesday earlies for Thursday lates." in rosa.text()
    rosa.shot("3-reply")
    rosa.assert_all_checked()

    # Members only: someone signed out cannot see the thread or even the forum.
    stranger = journey("forum", viewport=viewport, javascript=javascript)
    stranger.goto("/forums")
    assert FORUM not in stranger.text()
    stranger.assert_all_checked()
