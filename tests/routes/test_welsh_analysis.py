"""Issue 28 in the officer's analysis and panel pages: answers written in Welsh are listed on their
own line of the themes page (the embedding model reads English only), read from their own list and
coded through guided coding; and the themes, coding, panels and Compare and Compete pages speak
Welsh to an officer who chose it, form errors included. Both databases."""

import re

from sqlalchemy import select

from app.models.coding import Code, CodedAnswer
from app.models.user import Role
from tests import factories
from tests.factories.evidence import consultation_with_answers
from tests.helpers import page, text_of
from tests.routes.test_themes_direction import COMPLAINT, PARKING, PRAISE
from tests.services.test_forums_visibility import build_world, sign_in
from tests.services.test_panels import panel_with_pool

WELSH = [
    "Dylai’r cyngor drwsio’r tyllau yn y ffordd cyn y gaeaf.",
    "Mae’r bws yn rhy ddrud i bobl ifanc ac nid yw’n dod yn ddigon aml.",
    "Roedd y gofalwyr yn garedig iawn ond roedden nhw’n hwyr bob tro.",
]
URDU = "بہت اچھی سروس ہے"
TEXTS = ([PRAISE.format(i) for i in range(14)] + [COMPLAINT.format(i) for i in range(14)]
         + [PARKING.format(i) for i in range(14)] + WELSH + [URDU])


def _analysed(client, db):
    world = build_world(db)
    free = consultation_with_answers(db, review=world.review, texts=TEXTS)[2]
    sign_in(client, db, world.users["officer"])
    assert client.submit(f"/officer/questions/{free.id}/analysis-runs").status_code == 303
    return world, free


def _answer_texts(response) -> list[str]:
    return [p.get_text(strip=True) for p in page(response).select("#answers li.card p.body")]


def test_welsh_answers_have_their_own_line_list_and_can_be_coded(client, db):
    _, free = _analysed(client, db)
    themes = client.get(f"/officer/questions/{free.id}/themes")
    welsh_row = page(themes).select_one("#welsh-answers")
    assert welsh_row.dt.get_text(strip=True) == "Answers in Welsh"
    assert " ".join(welsh_row.dd.get_text().split()).startswith("3 (read them)")
    assert welsh_row.find("a")["href"] == f"/officer/questions/{free.id}/buckets/other_language?language=Welsh"
    assert "The analysis reads English only, so answers in Welsh are not placed in themes" in themes.text
    other_row = page(themes).find("dt", string="In other languages").parent
    assert "Urdu 1" in other_row.get_text(" ") and "Welsh" not in other_row.get_text(" ")

    listed = client.get(f"/officer/questions/{free.id}/buckets/other_language?language=Welsh")
    assert page(listed).h1.get_text(strip=True) == "Answers in Welsh"
    assert sorted(_answer_texts(listed)) == sorted(WELSH)
    assert all(p.get("lang") == "cy" for p in page(listed).select("#answers li.card p.body"))
    others = client.get(f"/officer/questions/{free.id}/buckets/other_language?other_than=Welsh")
    assert _answer_texts(others) == [URDU]

    assert client.submit(f"/officer/questions/{free.id}/coding/frame", {"start": "scratch"}).status_code == 303
    assert client.submit(f"/officer/questions/{free.id}/coding/codes",
                         {"name": "Roads and transport"}).status_code == 303
    listed = client.get(f"/officer/questions/{free.id}/buckets/other_language?language=Welsh")
    links = [a["href"] for a in page(listed).find_all("a", string="Code this answer")]
    assert len(links) == 3
    answer_id = int(re.search(r"/coding/answers/(\d+)$", links[0]).group(1))
    to_code = client.get(links[0])
    assert to_code.status_code == 200 and "Written in Welsh" in to_code.text
    assert page(to_code).select_one("#answer-text").get_text(strip=True) in WELSH
    code = db.scalar(select(Code).where(Code.name == "Roads and transport"))
    assert client.submit(links[0], {"code": str(code.id)}).status_code == 303
    coded = db.scalar(select(CodedAnswer).where(CodedAnswer.answer_id == answer_id))
    assert coded.officer_code_id == code.id


def test_analysis_panel_and_compare_pages_in_welsh(client, db):
    world, free = _analysed(client, db)
    client.cookies.set("chorus_lang", "cy")

    themes = client.get(f"/officer/questions/{free.id}/themes")
    assert '<html lang="cy">' in themes.text
    assert page(themes).select_one("#welsh-answers dt").get_text(strip=True) == "Atebion yn Gymraeg"
    assert "Mae’r dadansoddiad yn darllen Saesneg yn unig" in themes.text
    listed = client.get(f"/officer/questions/{free.id}/buckets/other_language?language=Welsh")
    assert page(listed).h1.get_text(strip=True) == "Atebion yn Gymraeg"
    others = client.get(f"/officer/questions/{free.id}/buckets/other_language?other_than=Welsh")
    assert "iaith: Wrdw" in others.text and "wedi’i ysgrifennu yn Gymraeg" in listed.text

    coding = client.get(f"/officer/questions/{free.id}/coding")
    assert "Dewch â’ch fframwaith codio eich hun" in coding.text and '<html lang="cy">' in coding.text
    panels = client.get("/officer/panels")
    assert page(panels).h1.get_text(strip=True) == "Paneli dinasyddion"
    appraisal = client.get(f"/officer/reviews/{world.review.id}/appraisal")
    assert page(appraisal).h1.get_text(strip=True) == "Arfarnu opsiynau"
    indicators = client.get(f"/officer/reviews/{world.review.id}/indicators")
    assert "Dangosyddion a ddewiswyd gyda defnyddwyr a staff" in indicators.text

    theme_id = int(re.search(r'href="/officer/themes/(\d+)"', themes.text).group(1))
    rename = client.submit(f"/officer/themes/{theme_id}/rename", {"label": "  "})
    assert rename.status_code == 422 and "Rhowch enw i’r thema" in rename.text
    no_name = client.submit("/officer/panels", {"name": "", "description": "", "wards": ""})
    assert no_name.status_code == 422 and "Rhowch enw i’r panel" in no_name.text


def test_a_panel_draw_in_welsh(client, db):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    client.cookies.set("chorus_lang", "cy")
    panel = panel_with_pool(db)
    refused = client.submit(f"/officer/panels/{panel.id}/draws", {"purpose": "", "size": "10"})
    assert refused.status_code == 422 and '<html lang="cy">' in refused.text
    assert "Dywedwch beth yw diben y panel" in refused.text
    draw_url = client.submit(f"/officer/panels/{panel.id}/draws",
                             {"purpose": "Gweithdy gofal cartref", "size": "10", "seed": "99"}).headers["location"]
    draw = client.get(draw_url)
    assert page(draw).h1.get_text(strip=True) == "Tyniad: Gweithdy gofal cartref"
    assert "10 o gronfa o 40" in text_of(draw) and "Wedi gwrthod: dewis aelod arall" in draw.text
    audit = client.get(f"{draw_url}/audit")
    assert "Cofnod archwilio: Gweithdy gofal cartref" in text_of(audit) and "terfyn profedig" in audit.text
    report = client.get(f"{draw_url}/report")
    assert "Nid oes neb wedi cymryd rhan eto" in report.text
    assert "Cronfa: 40; dewiswyd: 10; cymerodd ran: 0." in text_of(report)
