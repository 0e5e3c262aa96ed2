"""The organisers' forum screens and the petition fixes of issue 19, as people use them, on a phone
with JavaScript on and off (axe on every page):

- The tenants' organiser sets up a pre-moderated forum: the empty form first reports all three of
  its mistakes at once. Grace, a member, posts twice; the organiser finds each post's words in the
  moderation queue, presses "Do not publish" with a typed reason on one, approves the other and then
  presses "Hide post" and "Stop them posting" with typed reasons; Grace can no longer post, and the
  forum's audit trail lists each decision with its reason.
- At a library PC, neighbours sign the open petition one after another until the per-address limit:
  the next person gets the form back with what they typed and the wait explained (429), not a bare
  error page. The "Open" filter lists only petitions still short of a council response.
"""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [("phone", True), ("phone", False)]
IDS = ["phone", "phone-no-js"]
ORGANISER = "organiser@tenants.example"
MEMBER = "grace@tenants.example"
PETITION = "Keep Riverside's in-house home-care service"
AWAITING = "Pay home-care workers for their travel time between visits"
RESPONDED = "Publish missed and late home-care visits every month"


def _click(person, locator) -> None:
    """Click a link or button found some other way than by its name, and check where it leads."""
    person._settle_after(locator.click)


def _open_queued_post(organiser, words: str) -> None:
    row = organiser.page.locator("table tbody tr").filter(has_text=words)
    assert row.locator(".queue-excerpt").inner_text() == f"\u201c{words}\u201d"
    _click(organiser, row.get_by_role("link", name=re.compile(r"^Post ")))
    assert organiser.heading() == "Moderate a post"


@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=IDS)
def test_an_organiser_sets_up_a_forum_and_moderates_it(journey, viewport, javascript):
    variant = "js" if javascript else "nojs"
    forum_title = f"Repairs and damp ({variant})"
    off_topic = f"Selling a sofa, message me ({variant})"
    rude = f"The repairs officer on our estate is useless and lazy ({variant})"

    organiser = journey("forum-moderation", viewport=viewport, javascript=javascript)
    organiser.sign_in(ORGANISER)
    organiser.goto("/officer/forums")
    organiser.follow("Set up a forum")
    assert organiser.heading() == "Set up a forum"

    # Pressed with nothing filled in: every mistake at once, each linked to its field.
    organiser.press("Set up forum")
    summary = organiser.page.locator(".error-summary-list a")
    assert summary.all_inner_texts() == ["Enter a title for the forum",
                                         "Choose the review this forum belongs to, or none",
                                         "Choose who can read the forum"]
    assert [link.get_attribute("href") for link in summary.all()] == ["#title", "#review_id", "#visibility"]
    organiser.shot("1-set-up-errors")
    organiser.fill("Title", forum_title)
    organiser.page.get_by_label("Review it belongs to").select_option(label="None: a stand-alone forum")
    organiser.choose("Members only: named organisations and council officers")
    organiser.choose("After a moderator approves each one")
    organiser.fill("Short description", "Report repairs that are late, and damp that keeps coming back.")
    organiser.press("Set up forum")
    assert organiser.heading() == forum_title
    forum_path = organiser.path

    # Grace, a member of the tenants' association, posts twice; both wait for a moderator.
    grace = journey("forum-moderation", viewport=viewport, javascript=javascript)
    grace.sign_in(MEMBER)
    for title, words in (("Sofa", off_topic), ("Repairs officer", rude)):
        grace.goto(forum_path)
        grace.fill("Title", f"{title} ({variant})")
        grace.fill("Your post", words)
        grace.press("Start thread")
        assert "will appear once a moderator has approved it" in grace.text()

    # The queue shows what each post says; "Do not publish" with a typed reason.
    organiser.goto("/officer/forums")
    organiser.follow(forum_title)
    _open_queued_post(organiser, off_topic)
    organiser.fill("Reason for not publishing", "Adverts are not allowed here")
    organiser.press("Do not publish")
    assert "Done. The action is recorded in the audit log." in organiser.text()
    assert "Status: rejected" in organiser.text()

    # Approve the other, then hide it and stop Grace posting, each with a typed reason.
    organiser.follow(forum_title)
    _open_queued_post(organiser, rude)
    organiser.shot("2-moderate")
    organiser.press("Approve and publish")
    assert "Status: published" in organiser.text()
    organiser.fill("Reason, shown in place of the post", "Insults a named member of staff")
    organiser.press("Hide post")
    assert "Status: hidden" in organiser.text()
    organiser.fill("Reason", "Second warning about insulting staff", exact=True)
    organiser.press("Stop them posting")
    assert "Done. The action is recorded in the audit log." in organiser.text()
    assert organiser.page.locator(".error-summary").count() == 0

    # The audit trail: every decision, with who made it and why; the poster is never named.
    organiser.follow(forum_title)
    assert "Nothing is waiting." in organiser.text()
    organiser.follow("Audit trail")
    assert organiser.heading() == "Audit trail"
    trail = organiser.text()
    for reason in ("Adverts are not allowed here", "Insults a named member of staff",
                   "Second warning about insulting staff"):
        assert reason in trail
    assert "Grace" not in trail
    organiser.shot("3-audit")
    organiser.assert_all_checked()

    # Grace sees the reason in place of her post, and can no longer post in this forum.
    grace.goto(forum_path)
    grace.follow(f"Repairs officer ({variant})")
    assert "Insults a named member of staff" in grace.text() and rude not in grace.text()
    grace.goto(forum_path)
    assert "A moderator has stopped you posting in this forum." in grace.text()
    assert grace.page.get_by_role("button", name="Start thread").count() == 0
    grace.assert_all_checked()


def _titles(person) -> list[str]:
    return person.page.locator("#petition-results h2").all_inner_texts()


@pytest.mark.parametrize(("viewport", "javascript"), RUNS, ids=IDS)
def test_neighbours_at_a_library_pc_sign_until_the_limit_and_filter_open_petitions(
        journey, live_server, viewport, javascript):
    variant = "js" if javascript else "nojs"
    library = journey("petition-burst", viewport=viewport, javascript=javascript)  # one address

    # Five people sign one after another (the limit is 5 a minute); the sixth is asked to wait.
    for n in range(1, 7):
        library.goto("/petitions/1")
        assert library.heading() == PETITION
        library.fill("Full name", f"Library user {n} {variant}")
        library.fill("Email address", f"reader{n}.{variant}@library.example")
        library.fill("Postcode or ward", "RV3 1LB")
        library.choose(re.compile("^I live, work or study"), exact=False)
        with library.page.expect_response(lambda r: r.url.endswith("/petitions/1/signatures")) as answer:
            library.press("Sign this petition")
        if n < 6:
            assert library.heading() == "Check your email"
    assert answer.value.status == 429 and answer.value.headers.get("retry-after")
    assert library.heading() == PETITION
    summary = library.page.locator(".error-summary-list a")
    assert summary.count() == 1 and summary.get_attribute("href") == "#sign-limit"
    assert re.search(r"wait|try again", summary.inner_text(), re.I), summary.inner_text()
    assert library.page.locator("#sign-limit .error-message").inner_text().endswith(summary.inner_text())
    assert library.page.get_by_label("Full name").input_value() == f"Library user 6 {variant}"
    assert library.page.get_by_label("Email address").input_value() == f"reader6.{variant}@library.example"
    assert library.page.get_by_label("Postcode or ward").input_value() == "RV3 1LB"
    assert library.page.get_by_label(re.compile("^I live, work or study")).is_checked()
    library.shot("1-wait")
    library.assert_all_checked()

    # The "Open" filter (the list's default): petitions awaiting or having a council response are
    # listed under their own filters, not as open.
    reader = journey("petition-filter", viewport=viewport, javascript=javascript)
    reader.goto("/petitions")
    assert reader.page.get_by_label("Show").input_value() == "open"
    opened = _titles(reader)
    assert PETITION in opened and AWAITING not in opened and RESPONDED not in opened
    reader.shot("1-open")
    for label, expected in (("Awaiting a council response", [AWAITING]), ("Council responded", [RESPONDED])):
        reader.page.get_by_label("Show").select_option(label=label)
        reader.press("Search")
        assert _titles(reader) == expected, label
    reader.page.get_by_label("Show").select_option(label="All petitions")
    reader.press("Search")
    assert {PETITION, AWAITING, RESPONDED} <= set(_titles(reader))
    reader.page.get_by_label("Show").select_option(label="Open")
    reader.press("Search")
    assert "status=open" in reader.page.url and _titles(reader) == opened
    reader.assert_all_checked()
