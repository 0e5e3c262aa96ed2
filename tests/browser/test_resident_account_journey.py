"""Issue 27 end to end, on a phone: Rhian asks for a sign-in link on a public forum thread, signs in from
the email, replies, follows a consultation, is told its outcome by email, reads and downloads her data in
My Chorus, and deletes her account. Every page is checked with axe."""

import json
from datetime import date

import pytest

from tests.browser.helpers import link_in, open_review_consultation

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FORUM = "Tenants' forum: affordable housing"
REPLY = "Our block's service charge went up by a third this year; please publish how it is worked out."
QUESTION = "What should the council do about empty shops on the high street?"


@pytest.mark.browser
def test_rhian_signs_in_by_email_replies_follows_is_told_and_deletes_her_account(journey, live_server):
    email = "rhian.resident@residents.example"
    tom = journey("resident-account-officer", viewport="desktop")
    tom.sign_in("officer@riverside.example")
    title = "Empty shops: what would you like to see?"
    review_id, consultation_id = open_review_consultation(
        tom, live_server, review="Review of empty shops on the high street", service="Town centres",
        title=title, summary="The council is reviewing what it does about empty shops.", question=QUESTION)

    # 1. On a public forum thread, Rhian asks for a link and signs in from her email.
    rhian = journey("resident-account", viewport="phone")
    rhian.goto("/forums")
    rhian.follow(FORUM)
    rhian.page.locator("main a[href*='/threads/']").first.click()
    rhian.page.wait_for_load_state("load")
    rhian.check()
    thread_path = rhian.path
    rhian.follow("Sign in with your email address")
    rhian.fill("Email address", email)
    rhian.shot("1-ask-for-a-link")
    rhian.press("Email me a link")
    assert rhian.heading() == "Check your email"
    message = live_server.wait_for_email(email, "sign in to Chorus")
    rhian.goto(link_in(message, r"^/sign-in/email/"))
    assert rhian.heading() == "Create your account"
    rhian.fill("Your name, as shown with your forum replies", "Rhian")
    rhian.choose("English")
    rhian.shot("2-create-account")
    rhian.press("Create my account and sign in")
    assert rhian.path == thread_path

    # 2. She replies in the public forum.
    rhian.fill("Your reply", REPLY)
    rhian.press("Post reply")
    assert REPLY in rhian.text()
    rhian.shot("3-replied")

    # 3. She follows the consultation.
    rhian.goto(f"/consultations/{consultation_id}")
    rhian.follow("Follow this consultation")
    rhian.press("Follow this consultation")
    assert rhian.heading() == "You are following this consultation"

    # 4. The consultation closes, its results are published, the review concludes, the outcome is told.
    tom.goto(f"/officer/consultations/{consultation_id}")
    tom.press("Close the consultation")
    tom.press("Publish the results")
    tom.goto(f"/officer/reviews/{review_id}/conclude")
    tom.fill("The decision", "Empty shops will be offered to local makers at low rent for a year.")
    tom.fill("Date of the decision", date.today().isoformat())
    tom.press("Conclude the review")
    tom.goto(f"/officer/consultations/{consultation_id}/outcome")
    tom.fill("What the council decided", "Empty shops will be offered to local makers at low rent.")
    tom.page.get_by_label("Email everyone who asked to hear about the results (each person once)").check()
    tom.press("Save")
    told = live_server.wait_for_email(email, "Results published")
    rhian.goto(link_in(told, rf"/consultations/{consultation_id}/you-said-we-did"))
    assert "offered to local makers" in rhian.text()

    # 5. My Chorus: her reply and what she follows; her data on one page and as JSON.
    rhian.goto("/my-chorus")  # public pages are cached alike for everyone: their header offers "Sign in"
    mine = rhian.text()
    assert REPLY[:40] in mine and title in mine
    rhian.shot("4-my-chorus")
    rhian.follow("Read it on one page")
    assert REPLY in rhian.text()
    download = rhian.page.request.get(live_server.url + "/my-chorus/data.json")
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    data = json.loads(download.text())
    assert data["email"] == email and [p["body_text"] for p in data["held"]["forum_posts"]] == [REPLY]

    # 6. She deletes her account: signed out, her reply's words gone.
    rhian.goto("/my-chorus")
    rhian.follow("Delete your account and your data")
    rhian.choose("Delete my account and everything listed above. This cannot be undone.")
    rhian.shot("5-delete")
    rhian.press("Delete my account")
    assert rhian.heading() == "Your account has been deleted"
    rhian.goto(thread_path)
    assert REPLY not in rhian.text() and "[Removed at the author's request]" in rhian.text()
    rhian.goto("/my-chorus", expect_status=None)
    assert rhian.path == "/sign-in/email"
    rhian.assert_all_checked()
    assert rhian.pages_checked >= 12
