"""Panel outreach pages (issue 26 part 3): an officer starts the analysis from the report (a job,
with progress), reads what recruiting would change and who could reach those people, creates a
tagged link; a resident joins through it and the page shows what the link added. Both databases."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app.models.panel import DrawStatus, PanelOutreach, PanelOutreachAnalysis, PanelVolunteer
from app.models.user import Role
from tests import factories
from tests.forms import fill, find_form, submit_form
from tests.helpers import page, text_of
from tests.services.test_panels import make_panel, panel_with_pool


@pytest.fixture
def officer(db, client):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    return account


def _ids_unique(response):
    ids = [tag["id"] for tag in page(response).find_all(id=True)]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def _draw(client, panel) -> str:
    response = client.submit(f"/officer/panels/{panel.id}/draws", {"purpose": "Home care review", "size": "10"})
    return response.headers["location"]


def _join_through(client, url, panel, email):
    """The public join form, filled by its labels as a resident would, from the link's page."""
    form = find_form(client.get(url).text, f"/panels/{panel.id}/join")
    pairs = fill(form, {"Full name": "Ada Resident", "Email address": email,
                        "First line of your address": "1 Mill Lane", "Postcode": "RV1 2AB",
                        "Female": True, "45 or over": True, "Yes": True, panel.consent_text: True})
    return client.post(form["action"], content=urlencode(pairs),
                       headers={"content-type": "application/x-www-form-urlencoded"})


class TestAnalysis:
    def test_started_from_the_report_it_runs_as_a_job_and_shows_each_short_group(self, client, db, officer):
        panel = panel_with_pool(db)
        factories.organisation(db, name="Riverside Carers' Network", speaks_for="950 unpaid carers")
        db.flush()
        report_url = f"{_draw(client, panel)}/report"
        started = submit_form(client, report_url, f"/officer/panels/{panel.id}/outreach/analyses",
                              press="Analyse outreach for a panel of 10")
        assert started.status_code == 303
        analysis = db.scalar(select(PanelOutreachAnalysis).where(PanelOutreachAnalysis.panel_id == panel.id))
        db.refresh(analysis)
        assert analysis.status == DrawStatus.DONE and analysis.size == 10
        result = client.get(started.headers["location"])
        words = text_of(result)
        assert "Analysis finished." in words and "Groups the pool is short of" in words
        assert "Do you use home care, or care for someone who does?: Yes" in words
        assert "10 volunteers in the pool have this answer (25.0% of the pool)" in words
        assert "Riverside Carers' Network" in words and "Matched: carer." in words
        assert len(page(result).select("table")[0].select("tbody tr")) == 5  # now, +5, +10, +20, +50
        _ids_unique(result)
        progress = client.get(f"{started.headers['location']}/progress", headers={"HX-Request": "true"})
        assert "<html" not in progress.text and progress.headers.get("HX-Refresh") == "true"

    def test_while_queued_the_page_polls_and_offers_a_refresh_link(self, client, db, officer):
        panel = panel_with_pool(db)
        analysis = PanelOutreachAnalysis(panel_id=panel.id, size=10, quotas=[], status=DrawStatus.RUNNING,
                                         progress_done=2, progress_total=5)
        db.add(analysis)
        db.flush()
        url = f"/officer/panels/{panel.id}/outreach/analyses/{analysis.id}"
        shown = page(client.get(f"/officer/panels/{panel.id}/outreach"))
        status = shown.find(id="outreach-progress")
        assert status["hx-get"] == f"{url}/progress" and status.find("progress")["value"] == "2"
        assert status.find("a", href=url) is not None  # without script: refresh to see progress
        fragment = client.get(f"{url}/progress", headers={"HX-Request": "true"})
        assert "2 of 5 calculations" in fragment.text and "HX-Refresh" not in fragment.headers
        again = client.submit(f"/officer/panels/{panel.id}/outreach/analyses", {"size": "10"})
        assert again.status_code == 409 and "already running" in text_of(again)

    def test_a_bad_size_re_renders_the_form_with_the_error(self, client, db, officer):
        panel = panel_with_pool(db)
        response = client.submit(f"/officer/panels/{panel.id}/outreach/analyses", {"size": "999"})
        assert response.status_code == 422 and 'href="#size"' in response.text
        assert "cannot be larger than the pool (40 volunteers)" in text_of(response)
        assert 'value="999"' in response.text


class TestLinks:
    def test_a_link_brings_a_tagged_volunteer_and_the_page_shows_what_it_added(self, client, db, officer):
        panel = panel_with_pool(db)
        organisation = factories.organisation(db, name="Carers' Network")
        db.flush()
        outreach = f"/officer/panels/{panel.id}/outreach"
        created = submit_form(client, f"{outreach}?organisation_id={organisation.id}&target=home_care%7CYes",
                              f"{outreach}/links", {"Note (optional)": "June newsletter"})
        assert created.status_code == 303
        link = db.scalar(select(PanelOutreach).where(PanelOutreach.panel_id == panel.id))
        assert (link.organisation_id, link.category, link.feature) == (organisation.id, "home_care", "Yes")
        listed = client.get(outreach)
        assert f"/panels/{panel.id}/join?via={link.token}" in listed.text
        client.cookies.clear()  # the resident, not signed in
        joined = _join_through(client, f"/panels/{panel.id}/join?via={link.token}", panel, "ada@example.org")
        assert joined.status_code == 303, text_of(joined)
        volunteer = db.scalar(select(PanelVolunteer).where(PanelVolunteer.email == "ada@example.org"))
        assert volunteer.outreach_id == link.id
        client.sign_in(officer.email, factories.PASSWORD)
        [row] = [tr.get_text(" ", strip=True) for tr in page(client.get(outreach)).select("#links ~ div tbody tr")]
        assert row.startswith("Carers' Network June newsletter Do you use home care, or care for someone who does?: "
                              "Yes 1 of them 1 1 still in the pool")
        assert "Do you use home care, or care for someone who does?: Yes 1" in row

    def test_an_unknown_or_withdrawn_link_never_stops_a_resident_joining(self, client, db, officer):
        panel = make_panel(db)
        organisation = factories.organisation(db)
        db.flush()
        outreach = f"/officer/panels/{panel.id}/outreach"
        client.submit(f"{outreach}/links", {"organisation_id": str(organisation.id)})
        link = db.scalar(select(PanelOutreach).where(PanelOutreach.panel_id == panel.id))
        withdrawn = submit_form(client, outreach, f"{outreach}/links/{link.id}/revoke")
        assert withdrawn.status_code == 303
        assert "Withdrawn" in text_of(client.get(outreach))
        client.cookies.clear()
        odd = client.get(f"/panels/{panel.id}/join?via=%3Cscript%3Ealert(1)%3C/script%3E")
        assert odd.status_code == 200 and page(odd).find("input", attrs={"name": "via"}) is None
        for n, via in enumerate([link.token, "no-such-token-here"]):
            assert _join_through(client, f"/panels/{panel.id}/join?via={via}", panel,
                                 f"p{n}@example.org").status_code == 303
        assert db.scalars(select(PanelVolunteer.outreach_id)).all() == [None, None]

    def test_a_link_form_with_no_organisation_says_what_is_wrong(self, client, db, officer):
        panel = make_panel(db)
        factories.organisation(db)
        db.flush()
        response = client.submit(f"/officer/panels/{panel.id}/outreach/links", {"organisation_id": ""})
        assert response.status_code == 422 and 'href="#organisation_id"' in response.text


class TestAccess:
    def test_only_the_councils_officers_reach_outreach_pages(self, client, db):
        panel = make_panel(db)
        db.flush()
        url = f"/officer/panels/{panel.id}/outreach"
        assert client.get(url).status_code == 303  # sign in first
        organiser = factories.user(db, Role.ORGANISER)
        db.flush()
        client.sign_in(organiser.email, factories.PASSWORD)
        assert client.get(url).status_code == 403
        assert client.submit(f"{url}/analyses", {"size": "5"}).status_code == 403
        assert client.submit(f"{url}/links", {"organisation_id": str(organiser.organisation_id)}).status_code == 403

    def test_another_panels_analysis_and_links_are_not_found(self, client, db, officer):
        panel, other = make_panel(db), panel_with_pool(db)
        analysis = PanelOutreachAnalysis(panel_id=other.id, size=10, quotas=[])
        link = PanelOutreach(panel_id=other.id, organisation_name="X", token="abcdefgh12345678")
        db.add_all([analysis, link])
        db.flush()
        url = f"/officer/panels/{panel.id}/outreach"
        assert client.get(f"{url}/analyses/{analysis.id}").status_code == 404
        assert client.get(f"{url}/analyses/{analysis.id}/progress").status_code == 404
        assert client.submit(f"{url}/links/{link.id}/revoke").status_code == 404
        assert client.get("/officer/panels/999999/outreach").status_code == 404


class TestWelsh:
    def test_the_page_and_its_errors_are_in_welsh(self, client, db, officer):
        panel = panel_with_pool(db)
        client.cookies.set("chorus_lang", "cy")
        shown = client.get(f"/officer/panels/{panel.id}/outreach")
        assert '<html lang="cy"' in shown.text
        assert "Cyrraedd y bobl sydd ar goll o’r gronfa" in text_of(shown)
        untargeted = make_panel(db)
        db.flush()
        error = client.submit(f"/officer/panels/{untargeted.id}/outreach/analyses", {"size": "5"})
        assert error.status_code == 422 and 'href="#size"' in error.text
        assert "Gosodwch dargedau ar gyfer o leiaf un cwestiwn cyn dadansoddi’r allgymorth" in text_of(error)
