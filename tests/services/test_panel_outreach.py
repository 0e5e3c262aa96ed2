"""Panel outreach (issue 26 part 3): the analysis job and its result, suggested organisations,
tagged invitation links and what each added, on both databases."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.errors import Conflict, InvalidInput
from app.job_queue import pending_jobs
from app.models.audit import AuditEvent
from app.models.organisation import OrganisationType
from app.models.outbox import OutboxEmail
from app.models.panel import DrawStatus, PanelOutreachAnalysis, PanelVolunteer
from app.models.user import Role
from app.services import panels
from app.services.panels import outreach as panels_outreach
from app.services.panels import outreach_links, outreach_suggestions
from app.services.panels import pool as panels_pool
from tests import factories
from tests.services.test_panels import BASE, join_form, make_panel, panel_with_pool


def _actions(db, prefix="panel.outreach"):
    return [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%"))
                                         .order_by(AuditEvent.id))]


def run_analysis(db, database, panel, size="10"):
    analysis = panels_outreach.request_analysis(db, panel, size=size, actor_id=None)
    db.flush()
    assert (panels_outreach.JOB, (analysis.id,)) in pending_jobs(db)
    db.info.pop("jobs_after_commit", None)  # never committed here: run the job body directly
    panels_outreach.perform_analysis(database, analysis.id)
    db.expire_all()
    return panels_outreach.get_analysis(db, panel.id, analysis.id)


class TestAnalysis:
    def test_the_job_stores_each_short_group_with_progress_and_audit(self, db, database):
        panel = panel_with_pool(db)  # 10 of 40 use home care; the targets ask for at least 3 of 10
        analysis = run_analysis(db, database, panel)
        assert analysis.status == DrawStatus.DONE and analysis.pool_size == 40
        assert analysis.progress_done == analysis.progress_total == 1 + 4  # now, then 5/10/20/50 more
        [effect] = panels_outreach.effect_views(panels.get_panel(db, panel.id), analysis)
        assert (effect.category, effect.feature, effect.in_pool) == ("home_care", "Yes", 10)
        assert effect.label == "Do you use home care, or care for someone who does?"
        assert effect.seat_share == pytest.approx(0.3) and effect.pool_share == pytest.approx(0.25)
        assert [step.added for step in effect.steps] == [5, 10, 20, 50]
        # More people who use home care share the same seats: their own average chance falls.
        assert effect.steps[-1].feature_average < effect.now.feature_average
        assert _actions(db) == ["panel.outreach_analysis_request", "panel.outreach_analysis_done"]

    def test_a_raise_is_reported_with_the_fewest_recruits_that_give_it(self, db, database):
        panel = panel_with_pool(db)
        analysis = run_analysis(db, database, panel)
        [effect] = panels_outreach.effect_views(panels.get_panel(db, panel.id), analysis)
        raising = [step for step in effect.steps if step.gain > panels_outreach.RAISE_THRESHOLD]
        assert effect.first_raise == (raising[0] if raising else None)
        if raising:
            assert effect.best.gain == max(step.gain for step in raising)

    def test_requests_are_checked_and_one_runs_at_a_time(self, db):
        panel = panel_with_pool(db)
        with pytest.raises(InvalidInput) as error:
            panels_outreach.request_analysis(db, panel, size="400", actor_id=None)
        assert "cannot be larger than the pool (40 volunteers)" in error.value.errors["size"]
        with pytest.raises(InvalidInput):
            panels_outreach.request_analysis(db, panel, size="ten", actor_id=None)
        panels_outreach.request_analysis(db, panel, size="10", actor_id=None)
        with pytest.raises(Conflict):
            panels_outreach.request_analysis(db, panel, size="10", actor_id=None)

    def test_a_panel_without_targets_cannot_be_analysed(self, db):
        panel = make_panel(db)
        with pytest.raises(InvalidInput) as error:
            panels_outreach.request_analysis(db, panel, size="5", actor_id=None)
        assert "Set targets" in error.value.errors["size"]

    def test_targets_no_panel_can_meet_fail_with_a_message(self, db, database):
        panel = panel_with_pool(db)
        category = next(c for c in panel.categories if c.key == "sex")
        for feature in category.features[:2]:
            feature.target_min, feature.target_max = 9, 10
        db.flush()
        analysis = run_analysis(db, database, panel)
        assert analysis.status == DrawStatus.FAILED
        assert analysis.message == panels_outreach.INFEASIBLE

    def test_a_job_for_an_analysis_already_taken_does_nothing(self, db, database):
        panel = panel_with_pool(db)
        analysis = run_analysis(db, database, panel)
        panels_outreach.perform_analysis(database, analysis.id)
        assert db.scalar(select(PanelOutreachAnalysis.status).where(
            PanelOutreachAnalysis.id == analysis.id)) == DrawStatus.DONE


    def test_an_analysis_whose_job_never_ran_fails_after_a_while_so_another_can_start(self, db):
        panel = panel_with_pool(db)
        analysis = panels_outreach.request_analysis(db, panel, size="10", actor_id=None)
        db.flush()
        assert panels_outreach.fail_stale_analyses(db) == 0
        clock.advance(panels_outreach.STALE_AFTER + timedelta(minutes=1))
        assert panels_outreach.fail_stale_analyses(db) == 1
        assert analysis.status == DrawStatus.FAILED and analysis.message == panels_outreach.STALE
        panels_outreach.request_analysis(db, panel, size="10", actor_id=None)


class TestSuggestions:
    def _organisations(self, db):
        return [
            factories.organisation(db, name="Riverside Carers' Network", speaks_for="950 unpaid carers"),
            factories.organisation(db, name="Youth Forum", speaks_for="young people aged 11 to 25"),
            factories.organisation(db, name="Riverside Tenants' Federation", type=OrganisationType.TENANTS,
                                   speaks_for="3,000 households"),
            factories.organisation(db, name="Riverside Chess Club", description="Weekly games"),
        ]

    def test_groups_are_matched_by_who_organisations_speak_for_and_their_type(self, db):
        organisations = self._organisations(db)
        care = outreach_suggestions.suggest(organisations, question="Do you use home care?", answer="Yes",
                                            service_user=True, council_name="Riverside Borough Council")
        assert [s.organisation.name for s in care] == ["Riverside Carers' Network"]
        assert care[0].matched == ("carer",) and care[0].by_type
        young = outreach_suggestions.suggest(organisations, question="Your age", answer="16 to 24")
        assert [s.organisation.name for s in young] == ["Youth Forum"]
        renters = outreach_suggestions.suggest(organisations, question="Your home",
                                               answer="Rented from a private landlord")
        assert [s.organisation.name for s in renters] == ["Riverside Tenants' Federation"]

    def test_the_councils_own_name_matches_nobody(self, db):
        organisations = self._organisations(db)
        assert outreach_suggestions.suggest(organisations, question="Ward", answer="Riverside North",
                                            council_name="Riverside Borough Council") == []


class TestLinks:
    def test_a_volunteer_who_joins_through_a_link_is_tagged_and_counted(self, db):
        panel = make_panel(db)
        organisation = factories.organisation(db, name="Carers' Network")
        link = outreach_links.create_link(db, panel, organisation_id=str(organisation.id),
                                          target="home_care|Yes", note="Newsletter, June", base_url=BASE,
                                          actor_id=None)
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}", link.token) and link.organisation_name == "Carers' Network"
        assert outreach_links.join_link(BASE, panel.id, link.token).endswith(f"/join?via={link.token}")
        volunteer = outreach_links.join(db, panel, join_form(panel), via=link.token, base_url=BASE)
        assert volunteer.outreach_id == link.id
        outreach_links.join(db, panel, join_form(panel, email="bo@example.org", **{"c-home_care": "No"}),
                            via=link.token, base_url=BASE)
        db.refresh(link)
        assert link.joined == 2
        [report] = outreach_links.what_each_added(db, panels.get_panel(db, panel.id))
        assert report.in_pool == 2 and report.target_count == 1
        counts = {c.label: dict(c.counts) for c in report.categories}
        assert counts["Do you use home care, or care for someone who does?"] == {"Yes": 1, "No": 1}
        assert counts["Your ethnic group"] == {"Black": 2}  # counted, never listed by name
        assert _actions(db) == ["panel.outreach_link_create", "panel.outreach_join", "panel.outreach_join"]

    def test_unknown_revoked_and_other_panels_links_are_ignored(self, db):
        panel, other = make_panel(db), panels.create_panel(db, name="Other", wards=["North"],
                                                           council_name="Testshire")
        organisation = factories.organisation(db)
        theirs = outreach_links.create_link(db, other, organisation_id=str(organisation.id), base_url=BASE,
                                            actor_id=None)
        revoked = outreach_links.create_link(db, panel, organisation_id=str(organisation.id), base_url=BASE,
                                             actor_id=None)
        outreach_links.revoke_link(db, revoked, actor_id=None)
        with pytest.raises(Conflict):
            outreach_links.revoke_link(db, revoked, actor_id=None)
        for n, via in enumerate(["nonsense-token-xyz", theirs.token, revoked.token, "<script>", ""]):
            volunteer = outreach_links.join(db, panel, join_form(panel, email=f"p{n}@example.org"), via=via,
                                            base_url=BASE)
            assert volunteer.outreach_id is None
        assert outreach_links.clean_via("<script>") == "" and outreach_links.clean_via(theirs.token) == theirs.token

    def test_someone_already_in_the_pool_is_not_counted_again(self, db):
        panel = make_panel(db)
        panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        link = outreach_links.create_link(db, panel, organisation_id=str(factories.organisation(db).id),
                                          base_url=BASE, actor_id=None)
        outreach_links.join(db, panel, join_form(panel), via=link.token, base_url=BASE)
        assert db.scalar(select(PanelVolunteer.outreach_id)) is None and link.joined == 0

    def test_a_link_form_is_checked(self, db):
        panel = make_panel(db)
        with pytest.raises(InvalidInput) as error:
            outreach_links.create_link(db, panel, organisation_id="99999999999999", target="sex|Robot",
                                       base_url=BASE, actor_id=None)
        assert set(error.value.errors) == {"organisation_id", "target"}
        lonely = factories.organisation(db)
        with pytest.raises(InvalidInput) as error:
            outreach_links.create_link(db, panel, organisation_id=str(lonely.id), send_email=True,
                                       base_url=BASE, actor_id=None)
        assert "no organiser account" in error.value.errors["send_email"]

    def test_the_link_can_be_emailed_to_the_organisations_organisers(self, db):
        panel = make_panel(db)
        organiser = factories.user(db, Role.ORGANISER)
        link = outreach_links.create_link(db, panel, organisation_id=str(organiser.organisation_id),
                                          note="For the June newsletter", send_email=True, base_url=BASE,
                                          actor_id=None)
        email = db.scalar(select(OutboxEmail).where(OutboxEmail.to_address == organiser.email))
        assert email.subject == "Help us reach people for Test panel"
        assert f"{BASE}/panels/{panel.id}/join?via={link.token}" in email.body_text
        assert "For the June newsletter" in email.body_text and link.emailed_at is not None
        assert "panel.outreach_link_email" in _actions(db)
