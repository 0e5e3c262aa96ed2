"""Citizens' panel pages: residents join, update and leave; officers import, draw (as a job), audit,
replace and invite; nobody else reaches the officer pages."""

import re

import pytest
from sqlalchemy import func, select

from app.models.outbox import OutboxEmail
from app.models.panel import DrawStatus, PanelDrawRecord, PanelSpecialProfile, PanelVolunteer
from app.models.user import Role
from tests import factories
from tests.helpers import page, text_of
from tests.services.test_panels import make_panel, panel_with_pool, pool_csv, set_target

JOIN = {"name": "Ada Resident", "email": "ada@example.org", "address": "1 Mill Lane", "postcode": "RV1 2AB",
        "consent": "yes", "c-sex": "Female", "c-age": "45 or over", "c-home_care": "Yes",
        "c-ethnicity": "Black", "special_consent": "yes"}


@pytest.fixture
def panel(db):
    made = make_panel(db)
    db.flush()
    return made


@pytest.fixture
def officer(db, client):
    account = factories.user(db, Role.OFFICER)
    db.flush()
    client.sign_in(account.email, factories.PASSWORD)
    return account


def _email_to(db, address):
    return db.scalars(select(OutboxEmail.body_text).where(OutboxEmail.to_address == address)
                      .order_by(OutboxEmail.id.desc())).first()


def _ids_unique(response):
    ids = [tag["id"] for tag in page(response).find_all(id=True)]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


class TestJoin:
    def test_the_home_page_invites_residents_to_join(self, client, panel):
        response = client.get("/")
        assert "Join the citizens' panel" in text_of(response)
        assert f'href="/panels/{panel.id}/join"' in response.text

    def test_the_join_page_has_labelled_questions_and_special_ones_apart(self, client, panel):
        response = client.get(f"/panels/{panel.id}/join")
        assert response.status_code == 200
        soup = page(response)
        assert len(soup.find_all("h1")) == 1
        legends = [legend.get_text(" ", strip=True) for legend in soup.find_all("legend")]
        assert "Do you use home care, or care for someone who does?" in legends
        assert "Sensitive questions (optional)" in text_of(response)
        _ids_unique(response)

    def test_an_empty_form_re_renders_with_errors_and_keeps_what_was_typed(self, client, panel):
        response = client.submit(f"/panels/{panel.id}/join", {"name": "Ada", "email": "nope"})
        assert response.status_code == 422
        assert 'href="#consent"' in response.text and 'href="#c-sex"' in response.text
        assert 'value="Ada"' in response.text

    def test_joining_then_updating_then_leaving_deletes_the_profile(self, client, db, panel):
        response = client.submit(f"/panels/{panel.id}/join", JOIN)
        assert response.status_code == 303 and response.headers["location"].endswith("/joined")
        token = re.search(r"/panels/manage/([\w-]+)", _email_to(db, "ada@example.org")).group(1)
        manage = client.get(f"/panels/manage/{token}")
        assert manage.status_code == 200 and 'value="Ada Resident"' in manage.text
        updated = client.submit(f"/panels/manage/{token}", {**JOIN, "c-age": "Under 45"})
        assert updated.status_code == 303
        volunteer = db.scalar(select(PanelVolunteer).where(PanelVolunteer.email == "ada@example.org"))
        db.refresh(volunteer)
        assert volunteer.profile["age"] == "Under 45"
        assert client.submit(f"/panels/manage/{token}/confirm").status_code == 303
        db.refresh(volunteer)
        assert volunteer.email_confirmed_at is not None
        volunteer_id = volunteer.id
        assert client.get(f"/panels/manage/{token}/leave").status_code == 200
        left = client.submit(f"/panels/manage/{token}/leave")
        assert left.status_code == 303 and left.headers["location"] == "/panels/left"
        db.expire_all()
        assert db.get(PanelVolunteer, volunteer_id) is None
        assert db.scalar(select(func.count()).select_from(PanelSpecialProfile)
                         .where(PanelSpecialProfile.volunteer_id == volunteer_id)) == 0
        assert client.get(f"/panels/manage/{token}").status_code == 404

    def test_a_panel_not_recruiting_is_not_found(self, client, db, panel):
        panel.recruiting = False
        db.flush()
        assert client.get(f"/panels/{panel.id}/join").status_code == 404

    def test_asking_for_a_new_link_says_the_same_whether_or_not_the_address_joined(self, client, panel):
        first = client.submit(f"/panels/{panel.id}/new-link", {"email": "ghost@example.org"})
        assert first.status_code == 200 and "If ghost@example.org is in" in text_of(first)


class TestOfficerAccess:
    def test_residents_are_sent_to_sign_in_and_organisers_refused(self, client, db, panel):
        paths = [p.format(id=panel.id) for p in ("/officer/panels", "/officer/panels/{id}",
                                                 "/officer/panels/{id}/targets.csv")]
        assert [client.get(url).status_code for url in paths] == [303, 303, 303]
        organiser = factories.user(db, Role.ORGANISER)
        db.flush()
        client.sign_in(organiser.email, factories.PASSWORD)
        assert [client.get(url).status_code for url in paths] == [403, 403, 403]
        assert client.submit(f"/officer/panels/{panel.id}/draws", {"size": "2"}).status_code == 403

    def test_unknown_panels_and_draws_are_not_found(self, client, officer, panel):
        assert client.get("/officer/panels/999999").status_code == 404
        assert client.get(f"/officer/panels/{panel.id}/draws/999999").status_code == 404


class TestOfficerPool:
    def test_an_import_with_errors_lists_rows_and_adds_nobody(self, client, db, officer, panel):
        bad = b"id,sex,age\n1,Female,Under 45\n2,Robot,Under 45\n"
        response = client.submit(f"/officer/panels/{panel.id}/import", {"consent_note": "Letter"},
                                 files={"file": ("pool.csv", bad, "text/csv")})
        assert response.status_code == 422
        assert "Row 3: sex 'Robot' is not one of" in text_of(response)
        assert db.scalar(select(func.count(PanelVolunteer.id))) == 0

    def test_a_good_import_adds_the_pool(self, client, db, officer, panel):
        response = client.submit(f"/officer/panels/{panel.id}/import", {"consent_note": "Letter"},
                                 files={"file": ("pool.csv", pool_csv(12), "text/csv")})
        assert response.status_code == 303
        assert db.scalar(select(func.count(PanelVolunteer.id))) == 12

    def test_targets_are_typed_in_a_form(self, client, db, officer, panel):
        sex = next(c for c in panel.categories if c.key == "sex")
        female, male = sex.features[0], sex.features[1]
        bad = client.submit(f"/officer/panels/{panel.id}/targets/{sex.id}",
                            {f"f{female.id}-min": "5", f"f{female.id}-max": "2"})
        assert bad.status_code == 422 and f'href="#f{female.id}-max"' in bad.text
        good = client.submit(f"/officer/panels/{panel.id}/targets/{sex.id}",
                             {f"f{female.id}-min": "4", f"f{female.id}-max": "6", f"f{male.id}-min": "4"})
        assert good.status_code == 303
        db.refresh(female)
        assert (female.target_min, female.target_max) == (4, 6)


class TestOfficerDraw:
    def test_a_draw_runs_as_a_job_and_its_audit_page_lists_every_probability(self, client, db, officer):
        panel = panel_with_pool(db)
        response = client.submit(f"/officer/panels/{panel.id}/draws",
                                 {"purpose": "Home care workshop", "size": "10", "seed": "99"})
        assert response.status_code == 303
        draw_url = response.headers["location"]
        record = db.scalar(select(PanelDrawRecord).where(PanelDrawRecord.panel_id == panel.id))
        db.refresh(record)
        assert record.status == DrawStatus.DONE and record.seed == 99
        assert sum(record.probabilities.values()) == pytest.approx(10, abs=1e-4)
        draw_page = client.get(draw_url)
        assert "leximin" in draw_page.text and "Declined: replace" in draw_page.text
        _ids_unique(draw_page)
        fragment = client.get(draw_url, headers={"HX-Request": "true"})
        assert "<html" not in fragment.text and 'id="draw-status"' in fragment.text
        audit = client.get(f"{draw_url}/audit")
        assert audit.status_code == 200 and len(page(audit).select("tbody tr")) >= 40
        bound = f"{record.details['maximin_upper_bound']:.4f}"
        assert "proven bound" in audit.text and bound in audit.text
        report = client.get(f"{draw_url}/report")
        svg = page(report).find("svg")
        assert svg["role"] == "img" and svg.find("title") and svg.find("desc")
        assert page(report).find("caption")

    def test_infeasible_targets_show_a_message_naming_the_category(self, client, db, officer):
        panel = panel_with_pool(db)
        set_target(panel, "sex", "Female", 9, 10)
        set_target(panel, "sex", "Male", 9, 10)
        db.flush()
        response = client.submit(f"/officer/panels/{panel.id}/draws",
                                 {"purpose": "Too strict", "size": "10"})
        draw_page = client.get(response.headers["location"])
        assert "The panel could not be drawn" in text_of(draw_page)
        assert "Your sex (sex)" in text_of(draw_page)

    def test_a_decliner_is_replaced_and_invitations_are_single_use(self, client, db, officer):
        panel = panel_with_pool(db)
        draw_url = client.submit(f"/officer/panels/{panel.id}/draws",
                                 {"purpose": "Forum", "size": "10"}).headers["location"]
        form = page(client.get(draw_url)).find("form", action=re.compile(r"/replace$"))
        assert client.submit(form["action"]).status_code == 303
        assert "Replacement" in text_of(client.get(draw_url))
        sent = client.submit(f"{draw_url}/invitations", {"target_url": "/forums"})
        assert sent.status_code == 303
        body = db.scalars(select(OutboxEmail.body_text).where(OutboxEmail.subject.like("You have been chosen%"))
                          ).first()
        token = re.search(r"/panels/invitations/([\w-]+)", body).group(1)
        client.cookies.clear()
        assert client.get(f"/panels/invitations/{token}").status_code == 200
        used = client.submit(f"/panels/invitations/{token}")
        assert used.status_code == 303 and used.headers["location"] == "/forums"
        assert client.submit(f"/panels/invitations/{token}").status_code == 409
        assert client.get(f"/panels/invitations/{token}").status_code == 409
