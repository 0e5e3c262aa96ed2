"""The resident's three main journeys in Welsh on a phone (issue 28): Catrin chooses Cymraeg with the
switch in the header, then answers the demo consultation, signs the demo petition and joins the
citizens' panel, every page under <html lang="cy"> and checked with axe-core. With JavaScript on
and off (English with and without JavaScript is run by the consultation, petition and panel
journeys themselves)."""

import re

import pytest

from tests.browser.helpers import link_in

# One worker runs every journey against the session's one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RUNS = [True, False]
RUN_IDS = ["phone-cy", "phone-cy-no-js"]
CONSULTATION = re.compile("^Home care in Riverside")
PETITION = "Keep Riverside's in-house home-care service"
PANEL = "Riverside Citizens' Panel"
CHECK_HEADING = "Gwiriwch eich atebion cyn eu hanfon"
ABOUT_YOU_HEADING = "Amdanoch chi (dewisol)"


def _in_welsh(journey):
    """Catrin opens the home page and chooses Cymraeg with the header's switch."""
    journey.goto("/")
    assert journey.page.locator("html").get_attribute("lang") == "en"
    journey.follow("Cymraeg", exact=True)
    _assert_welsh(journey)
    assert journey.path == "/"
    return journey


def _assert_welsh(journey) -> None:
    assert journey.page.locator("html").get_attribute("lang") == "cy", journey.page.url
    # The switch offers English back, in English.
    assert journey.page.get_by_role("link", name="English", exact=True).count() == 1


def _answer_every_question(page) -> None:
    """The first choice of every radio and checkbox group shown, a rank per select, words in every box."""
    groups = page.eval_on_selector_all(
        "main input[type=radio], main input[type=checkbox]",
        "boxes => [...new Set(boxes.filter(box => box.offsetParent !== null).map(box => box.name))]")
    for name in groups:
        page.locator(f"main input[name='{name}']").first.check()
    for number, select in enumerate(page.locator("main select").all(), start=1):
        select.select_option(index=min(number, select.locator("option").count() - 1))
    for field in page.locator("main textarea:visible, main input[type=text]:visible").all():
        if not field.input_value():
            field.fill("Mae’r gofalwyr yn garedig.")


@pytest.mark.browser
@pytest.mark.parametrize("javascript", RUNS, ids=RUN_IDS)
def test_catrin_answers_a_consultation_in_welsh(journey, javascript):
    catrin = _in_welsh(journey("welsh-consultation", viewport="phone", javascript=javascript))

    catrin.follow(CONSULTATION)
    _assert_welsh(catrin)
    assert "Beth sy’n digwydd i’ch atebion" in catrin.text()
    catrin.press("Dechrau nawr")

    assert catrin.heading() == "Ym mha rinwedd rydych chi’n ymateb?"
    catrin.choose("Rhywun sy’n defnyddio’r gwasanaeth")
    catrin.press("Parhau", exact=True)
    counted = False
    for _page in range(12):  # the question pages, then "about you", until "check your answers"
        _assert_welsh(catrin)
        if catrin.heading() == CHECK_HEADING:
            break
        assert re.fullmatch(r"Cam \d+ o \d+", catrin.page.locator(".progress").inner_text().strip())
        if catrin.heading() != ABOUT_YOU_HEADING:  # optional, and skipped as many people do
            _answer_every_question(catrin.page)
        counters = catrin.page.locator(".char-count")
        if javascript and counters.count():  # the counter speaks the page's language
            assert re.fullmatch(r"Mae gennych [\d,]+ nod ar ôl", counters.first.inner_text().strip())
            counted = True
        catrin.press("Parhau", exact=True)
    assert catrin.heading() == CHECK_HEADING, catrin.text()[:500]
    assert counted or not javascript, "no character counter met on the way"
    assert "Yn ymateb fel" in catrin.text()
    catrin.press("Anfon fy ymateb")

    _assert_welsh(catrin)
    assert catrin.heading() == "Ymateb wedi’i anfon"
    assert "Eich cyfeirnod" in catrin.text()
    catrin.assert_all_checked()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", RUNS, ids=RUN_IDS)
def test_catrin_signs_a_petition_in_welsh(journey, live_server, javascript):
    email = f"catrin.petition.{'js' if javascript else 'nojs'}@residents.example"
    catrin = _in_welsh(journey("welsh-petition", viewport="phone", javascript=javascript))

    catrin.follow("Gweld pob deiseb")
    _assert_welsh(catrin)
    assert catrin.heading() == "Deisebau"
    catrin.follow(PETITION)
    _assert_welsh(catrin)
    catrin.fill("Enw llawn", f"Catrin Jones {email}")
    catrin.fill("Cyfeiriad e-bost", email)
    catrin.fill("Cod post neu ward", "RV2 4QT")
    catrin.choose(re.compile("^Rwy’n byw, yn gweithio neu’n astudio"), exact=False)
    catrin.press("Llofnodi’r ddeiseb hon")
    _assert_welsh(catrin)
    assert catrin.heading() == "Gwiriwch eich e-bost"
    assert "heb ei gyfrif" in catrin.text() or "wedi’i gyfrif eto" in catrin.text()

    catrin.goto(link_in(live_server.wait_for_email(email), r"/petitions/signatures/"))
    _assert_welsh(catrin)
    assert catrin.heading() == "Cadarnhau eich llofnod"
    catrin.press("Cadarnhau", exact=True)
    _assert_welsh(catrin)
    assert catrin.heading() == "Mae eich llofnod wedi’i gyfrif"
    catrin.assert_all_checked()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", RUNS, ids=RUN_IDS)
def test_catrin_joins_the_citizens_panel_in_welsh(journey, javascript):
    email = f"catrin.panel.{'js' if javascript else 'nojs'}@residents.example"
    catrin = _in_welsh(journey("welsh-panel", viewport="phone", javascript=javascript))

    catrin.follow(f"Ymuno â {PANEL}")
    _assert_welsh(catrin)
    assert catrin.heading() == f"Ymuno â {PANEL}"
    catrin.fill("Enw llawn", "Catrin Jones")
    catrin.fill("Cyfeiriad e-bost", email)
    catrin.fill("Llinell gyntaf eich cyfeiriad", "2 Heol y Felin")
    catrin.fill("Cod post", "RV1 2AB", exact=True)
    profile = catrin.page.locator(
        "//input[@type='radio' and starts-with(@name, 'c-')]"
        "[following::h2[normalize-space()='Cwestiynau sensitif (dewisol)']]")
    if not profile.count():
        profile = catrin.page.locator("input[type=radio][name^='c-']")
    answered: set[str] = set()
    for radio in profile.all():
        if radio.get_attribute("name") not in answered:
            radio.check()
            answered.add(radio.get_attribute("name"))
    catrin.page.locator("#consent").check()
    catrin.press("Ymuno â’r panel")
    _assert_welsh(catrin)
    assert catrin.heading() == "Gwiriwch eich e-bost", catrin.text()[:500]
    catrin.assert_all_checked()
