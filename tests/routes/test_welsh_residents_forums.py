"""Residents' pages, forums and reviews in Welsh (issue 28), on both databases: a visitor who chose
Cymraeg (the switch's cookie) reads them under <html lang="cy">, form errors come back in Welsh, and a
benchmark file's problems are told in Welsh. English stays the default."""

import pytest

from app.i18n import LOCALE_COOKIE, use_locale
from app.models.user import Role
from app.services.forums import posting as forums_posting
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum
from app.services.reviews import benchmarks, indicators
from tests.helpers import page, text_of
from tests.services.test_forums_visibility import SECRET, build_world, fast_user, sign_in

BENCHMARKS = (b"indicator,council,period,value,unit,source,date\n"
              b"Visits on time,Riverside Borough Council,2025-26,71.5,%,Council records,2026-04-30\n"
              b"Visits on time,Hillside Council,2025-26,88,%,LG Inform,2026-05-01\n")


def _in_welsh(client, db, user=None):
    sign_in(client, db, user)  # clears the cookies, so the language is chosen after it
    client.cookies.set(LOCALE_COOKIE, "cy")
    return client


def _lang(response) -> str:
    return page(response).html["lang"]


@pytest.fixture
def world(db):
    made = build_world(db)
    made.review.is_public = True
    db.flush()
    return made


@pytest.fixture
def thread(db, world):
    forum = get_forum(db, world.users["admin"], world.forums["public"].id)
    made, _post = forums_posting.start_thread(db, Poster(world.users["officer"], SECRET), forum,
                                              title="Rotas", body="How are visits planned?")
    db.flush()
    return forum, made


class TestResidentsInWelsh:
    def test_sign_in_by_email_is_in_welsh(self, client, db):
        response = _in_welsh(client, db).get("/sign-in/email")
        assert response.status_code == 200 and _lang(response) == "cy"
        assert "Mewngofnodi â’ch cyfeiriad e-bost" in text_of(response)
        assert page(response).find("button", string=lambda s: s and "dolen ataf" in s) is not None

    def test_my_chorus_and_a_form_error_are_in_welsh(self, client, db):
        resident = fast_user(db, Role.RESIDENT)
        welsh = _in_welsh(client, db, resident)
        mine = welsh.get("/my-chorus")
        assert mine.status_code == 200 and _lang(mine) == "cy"
        assert "Yr hyn rydych yn ei ddilyn" in text_of(mine) and "Eich data" in text_of(mine)
        refused = welsh.submit("/my-chorus/delete", {})
        assert refused.status_code == 422 and _lang(refused) == "cy"
        assert "Ticiwch y blwch i gadarnhau eich bod am ddileu eich cyfrif" in text_of(refused)
        assert page(refused).title.get_text().startswith("Gwall: Dileu eich cyfrif")

    def test_english_stays_the_default(self, client, db):
        response = client.get("/sign-in/email")
        assert _lang(response) == "en" and "Sign in with your email address" in text_of(response)


class TestForumsInWelsh:
    def test_the_forum_list_forum_and_thread_are_in_welsh(self, client, db, world, thread):
        forum, made = thread
        welsh = _in_welsh(client, db)
        listed = welsh.get("/forums")
        assert _lang(listed) == "cy" and "Fforymau rhanddeiliaid" in text_of(listed)
        assert "Cyhoeddus: gall unrhyw un ddarllen" in text_of(listed)  # the visibility label
        shown = welsh.get(f"/forums/{forum.id}")
        assert "Edafedd" in text_of(shown) and "0 ateb" in text_of(shown)
        opened = welsh.get(f"/forums/{forum.id}/threads/{made.id}")
        assert _lang(opened) == "cy" and "Mewngofnodwch â’ch cyfeiriad e-bost" in text_of(opened)

    def test_an_empty_reply_is_refused_in_welsh(self, client, db, world, thread):
        forum, made = thread
        welsh = _in_welsh(client, db, world.users["member_a"])
        refused = welsh.submit(f"/forums/{forum.id}/threads/{made.id}/replies", {"body": ""})
        assert refused.status_code == 422 and _lang(refused) == "cy"
        assert "Ysgrifennwch eich neges" in text_of(refused)
        assert "Eich ateb" in text_of(refused)  # the field's label

    def test_the_moderators_pages_are_in_welsh(self, client, db, world, thread):
        forum, _made = thread
        welsh = _in_welsh(client, db, world.users["officer"])
        index = welsh.get("/officer/forums")
        assert _lang(index) == "cy" and "Fforymau rydych yn eu cymedroli" in text_of(index)
        manage = welsh.get(f"/officer/forums/{forum.id}")
        assert "Cofnodi cyfarfod" in text_of(manage)
        trail = welsh.get(f"/officer/forums/{forum.id}/audit")
        assert "Sefydlodd y fforwm" in text_of(trail)  # an action named in the audit trail


class TestReviewsInWelsh:
    def test_the_review_pages_are_in_welsh(self, client, db, world):
        welsh = _in_welsh(client, db)
        listed = welsh.get("/reviews")
        assert _lang(listed) == "cy" and "Gwasanaethau sy’n cael eu hadolygu" in text_of(listed)
        shown = welsh.get(f"/reviews/{world.review.id}")
        assert "Sut mae’r gwasanaeth yn cael ei fesur" in text_of(shown)

    def test_benchmarks_and_adopted_indicators_are_in_welsh(self, client, db, world):
        officer = world.users["officer"]
        proposal = indicators.propose(db, world.review, name="Visits on time", reason="", proposed_by_type="carer")
        indicators.adopt(db, proposal, definition="Share of visits within 15 minutes", source="Rota system",
                         asked_by="Carers' forum", officer=officer)
        record = benchmarks.import_csv(db, world.review, BENCHMARKS, filename="peers.csv",
                                       council_name="Riverside Borough Council", officer=officer)
        benchmarks.publish(db, officer, record.id)
        db.flush()
        shown = _in_welsh(client, db).get(f"/reviews/{world.review.id}")
        assert "Ffynhonnell: Rota system. Gofynnwyd amdano gan: Carers' forum." in text_of(shown)
        assert "Sut mae’r cyngor hwn yn cymharu" in text_of(shown)
        assert "Safle’r cyngor hwn: Y 2il uchaf o 2 cyngor" in text_of(shown)
        assert "(y cyngor hwn)" in text_of(shown)

    def test_the_indicator_question_refuses_in_welsh(self, client, db, world):
        indicators.propose(db, world.review, name="Visits on time", reason="", proposed_by_type="staff")
        db.flush()
        welsh = _in_welsh(client, db)
        asked = welsh.get(f"/reviews/{world.review.id}/indicators")
        assert "Pa rai o’r rhain sydd bwysicaf i chi?" in text_of(asked)
        assert "Rwy’n defnyddio’r gwasanaeth" in text_of(asked)  # a choice defined in the route
        refused = welsh.submit(f"/reviews/{world.review.id}/indicators", {})
        assert refused.status_code == 422 and _lang(refused) == "cy"
        assert "Dywedwch pwy ydych chi" in text_of(refused)


def test_a_benchmark_file_and_the_councils_position_are_told_in_welsh():
    with use_locale("cy"), pytest.raises(benchmarks.BenchmarkFileError) as refused:
        benchmarks.parse(b"indicator,council\n")
    assert refused.value.errors["file"].startswith("Llinell 1: rhaid i’r pennawd enwi’r colofnau")
    with use_locale("cy"):
        assert [benchmarks._ordinal(n) for n in (1, 2, 3, 5, 7, 11, 20, 22)] == [
            "1af", "2il", "3ydd", "5ed", "7fed", "11eg", "20fed", "22ain"]
    assert benchmarks._ordinal(22) == "22nd"
