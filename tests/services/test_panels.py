"""Citizens' panels: joining and leaving, special-category separation, imports, draws, replacements,
invitations and the representativeness report, on both databases."""

import re
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import panel_draw
from app.errors import Conflict, InvalidInput
from app.models.outbox import OutboxEmail
from app.models.panel import (
    NOT_SAID,
    DrawStatus,
    MemberStatus,
    PanelDrawRecord,
    PanelMember,
    PanelSpecialProfile,
    PanelVolunteer,
)
from app.services import panels
from app.services.panels import CategorySpec
from app.services.panels import draws as panels_draws
from app.services.panels import invitations as panels_invitations
from app.services.panels import pool as panels_pool
from app.services.panels import report as panels_report
from app.services.panels import targets as panels_targets

BASE = "http://testserver"
SMALL_CATEGORIES = (
    CategorySpec("sex", "Your sex", ("Female", "Male")),
    CategorySpec("age", "Your age", ("Under 45", "45 or over")),
    CategorySpec("home_care", "Do you use home care, or care for someone who does?",
                 ("Yes", "No"), service_user=True),
    CategorySpec("ethnicity", "Your ethnic group", ("White", "Black", "Asian"), special=True),
)


def make_panel(db):
    return panels.create_panel(db, name="Test panel", wards=["North"], council_name="Testshire",
                               categories=SMALL_CATEGORIES)


def pool_csv(rows: int = 40, *, start: int = 1) -> bytes:
    """A pool where every combination of answers is present; household pairs share an address."""
    lines = ["id,name,email,address,postcode,sex,age,home_care,ethnicity"]
    for n in range(start, start + rows):
        sex = "Female" if n % 2 else "Male"
        age = "Under 45" if n % 3 else "45 or over"
        care = "Yes" if n % 4 == 0 else "No"
        ethnicity = ("White", "Black", "Asian", "")[n % 4]
        lines.append(f"v{n},Person {n},p{n}@example.org,{n // 2} High Street,RV1 1AA,{sex},{age},"
                     f"{care},{ethnicity}")
    return ("\n".join(lines) + "\n").encode()


def set_target(panel, key, value, low, high):
    category = next(c for c in panel.categories if c.key == key)
    feature = next(f for f in category.features if f.value == value)
    feature.target_min, feature.target_max = low, high


def panel_with_pool(db, rows=40):
    panel = make_panel(db)
    panels_pool.import_pool_csv(db, panel, pool_csv(rows), consent_note="Letter, May", actor_id=None)
    db.flush()
    panel = panels.get_panel(db, panel.id)
    set_target(panel, "sex", "Female", 4, 6)
    set_target(panel, "sex", "Male", 4, 6)
    set_target(panel, "home_care", "Yes", 3, 10)
    db.flush()
    return panel


def run_draw(db, database, panel, *, size="10", seed="7", households=False):
    record = panels_draws.request_draw(db, panel, purpose="Home care review", size=size, seed=seed,
                                       one_per_household=households)
    db.flush()
    db.info.pop("jobs_after_commit", None)  # never committed here: run the job body directly
    panels_draws.perform_draw(database, record.id)
    db.expire_all()
    panels.get_panel(db, panel.id)  # reload what the expiry cleared
    return panels_draws.get_draw(db, panel.id, record.id, with_members=True)


def join_form(panel, **overrides):
    data = {"name": "Ada Resident", "email": "ada@example.org", "address": "1 Mill Lane",
            "postcode": "rv1 2ab", "consent": "yes", "c-sex": "Female", "c-age": "45 or over",
            "c-home_care": "Yes", "c-ethnicity": "Black", "special_consent": "yes"}
    data.update(overrides)
    return panels_pool.VolunteerForm.from_mapping(panel, data)


def token_in(body: str, path: str) -> str:
    return re.search(rf"{path}/([A-Za-z0-9_-]+)", body).group(1)


class TestJoinUpdateLeave:
    def test_joining_keeps_special_category_answers_apart_with_their_own_consent(self, db):
        panel = make_panel(db)
        volunteer = panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        db.flush()
        assert volunteer.profile == {"sex": "Female", "age": "45 or over", "home_care": "Yes"}
        assert "ethnicity" not in volunteer.profile
        special = db.scalar(select(PanelSpecialProfile).where(PanelSpecialProfile.volunteer_id == volunteer.id))
        assert special.answers == {"ethnicity": "Black"}
        assert special.consent_text == panel.special_consent_text and special.consented_at
        assert volunteer.consent_text == panel.consent_text and volunteer.consented_at
        assert volunteer.postcode == "RV1 2AB" and volunteer.household_key == "RV12AB|1 mill lane"
        assert volunteer.manage_token_hash and len(volunteer.manage_token_hash) == 64

    def test_special_answers_need_their_own_consent_and_are_optional(self, db):
        panel = make_panel(db)
        with pytest.raises(InvalidInput) as error:
            panels_pool.join(db, panel, join_form(panel, special_consent=""), base_url=BASE)
        assert "special_consent" in error.value.errors
        volunteer = panels_pool.join(db, panel, join_form(panel, **{"c-ethnicity": "", "special_consent": ""}),
                                     base_url=BASE)
        db.flush()
        assert db.scalar(select(func.count()).select_from(PanelSpecialProfile)
                         .where(PanelSpecialProfile.volunteer_id == volunteer.id)) == 0

    def test_missing_answers_and_consent_are_reported_per_field(self, db):
        panel = make_panel(db)
        with pytest.raises(InvalidInput) as error:
            panels_pool.join(db, panel, join_form(panel, consent="", **{"c-sex": "", "postcode": "nope"}),
                             base_url=BASE)
        assert {"consent", "c-sex", "postcode"} <= set(error.value.errors)

    def test_every_email_carries_a_manage_link_and_joining_twice_sends_a_fresh_one(self, db):
        panel = make_panel(db)
        panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        db.flush()
        emails = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.org")).all()
        assert len(emails) == 2 and all("/panels/manage/" in e.body_text for e in emails)
        assert db.scalar(select(func.count(PanelVolunteer.id)).where(PanelVolunteer.panel_id == panel.id)) == 1
        old, new = (token_in(e.body_text, "/panels/manage") for e in emails)
        assert panels_pool.volunteer_by_token(db, new).email == "ada@example.org"
        with pytest.raises(Exception, match="expired"):
            panels_pool.volunteer_by_token(db, old)

    def test_update_changes_profile_and_clearing_special_answers_deletes_them(self, db):
        panel = make_panel(db)
        volunteer = panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        db.flush()
        db.expire_all()
        panel = panels.get_panel(db, panel.id)
        volunteer = db.scalar(select(PanelVolunteer).where(PanelVolunteer.id == volunteer.id)
                              .options(selectinload(PanelVolunteer.special)))
        panels_pool.update_volunteer(db, panel, volunteer, join_form(
            panel, **{"c-age": "Under 45", "c-ethnicity": "", "special_consent": ""}))
        db.flush()
        assert volunteer.profile["age"] == "Under 45"
        assert db.scalar(select(func.count()).select_from(PanelSpecialProfile)) == 0

    def test_leaving_deletes_the_profile_and_special_rows_and_frees_the_seat(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        member = next(m for m in record.members
                      if db.scalar(select(PanelSpecialProfile.id)
                                   .where(PanelSpecialProfile.volunteer_id == m.volunteer_id)))
        volunteer_id = member.volunteer_id
        volunteer = db.scalar(select(PanelVolunteer).where(PanelVolunteer.id == volunteer_id)
                              .options(selectinload(PanelVolunteer.special)))
        panels_pool.leave(db, volunteer)
        db.flush()
        db.expire_all()
        assert db.get(PanelVolunteer, volunteer_id) is None
        assert db.scalar(select(func.count()).select_from(PanelSpecialProfile)
                         .where(PanelSpecialProfile.volunteer_id == volunteer_id)) == 0
        seat = db.get(PanelMember, member.id)
        assert seat.volunteer_id is None and seat.status == MemberStatus.LEFT
        assert str(volunteer_id) in db.get(PanelDrawRecord, record.id).probabilities  # audit keeps the id

    def test_the_manage_link_finds_the_volunteer_who_joined(self, db):
        panel = make_panel(db)
        volunteer = panels_pool.join(db, panel, join_form(panel), base_url=BASE)
        db.flush()
        assert panels_pool.volunteer_by_token(db, _latest_token(db, "ada@example.org")) is volunteer


def _latest_token(db, address):
    panels_body = db.scalars(select(OutboxEmail.body_text).where(OutboxEmail.to_address == address)
                             .order_by(OutboxEmail.id.desc())).first()
    token = token_in(panels_body, "/panels/manage")
    return token


class TestImport:
    def test_a_valid_file_adds_every_row_with_special_answers_apart(self, db):
        panel = make_panel(db)
        result = panels_pool.import_pool_csv(db, panel, pool_csv(8), consent_note="Letter", actor_id=None)
        db.flush()
        assert result.added == 8
        volunteers = db.scalars(select(PanelVolunteer).where(PanelVolunteer.panel_id == panel.id)).all()
        assert {v.external_id for v in volunteers} == {f"v{n}" for n in range(1, 9)}
        assert all("ethnicity" not in v.profile for v in volunteers)
        assert db.scalar(select(func.count()).select_from(PanelSpecialProfile)) == 6  # two were blank

    def test_errors_are_listed_per_row_and_nothing_is_imported(self, db):
        panel = make_panel(db)
        bad = (b"id,sex,age,email\n1,Female,Under 45,a@example.org\n2,Woman,Under 45,\n"
               b"1,Male,45 or over,\n4,Male,Under 45,not-an-email\n")
        with pytest.raises(InvalidInput) as error:
            panels_pool.import_pool_csv(db, panel, bad, consent_note="x", actor_id=None)
        message = error.value.errors["file"]
        assert "Row 3: sex 'Woman' is not one of" in message
        assert "Row 4: id '1'" in message and "Row 5:" in message and "Row 2" not in message
        assert "Nothing was imported" in error.value.message
        db.flush()
        assert db.scalar(select(func.count(PanelVolunteer.id))) == 0

    def test_unknown_columns_are_refused(self, db):
        panel = make_panel(db)
        with pytest.raises(InvalidInput) as error:
            panels_pool.import_pool_csv(db, panel, b"id,sex,shoe_size\n1,Female,9\n", consent_note="x",
                                        actor_id=None)
        assert "shoe_size" in error.value.errors["file"]

    def test_targets_csv_sets_every_row_or_none(self, db):
        panel = make_panel(db)
        db.flush()
        panel = panels.get_panel(db, panel.id)
        with pytest.raises(InvalidInput) as error:
            panels_targets.import_targets_csv(db, panel, b"category,feature,min,max\nsex,Female,4,6\n"
                                              b"sex,Robot,1,2\nage,Under 45,5,2\n", actor_id=None)
        assert "Row 3" in error.value.errors["file"] and "Row 4" in error.value.errors["file"]
        assert all(not c.has_targets for c in panel.categories)
        count = panels_targets.import_targets_csv(
            db, panel, b"category,feature,min,max\nsex,Female,4,6\nYour sex,male,4,\n", actor_id=None)
        assert count == 2
        sex = next(c for c in panel.categories if c.key == "sex")
        assert [(f.value, f.target_min, f.target_max) for f in sex.features][:2] == [
            ("Female", 4, 6), ("Male", 4, None)]
        assert "sex,Female,4,6" in panels_targets.targets_csv(panel)


def _features(db, members):
    ids = [m.volunteer_id for m in members]
    volunteers = db.scalars(select(PanelVolunteer).where(PanelVolunteer.id.in_(ids))).all()
    return Counter((k, v) for volunteer in volunteers for k, v in volunteer.profile.items())


class TestDraw:
    def test_the_job_records_probabilities_summing_to_the_size_and_meets_every_quota(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        assert record.status == DrawStatus.DONE, record.message
        assert record.algorithm == "leximin" and record.seed == 7 and record.fallback_reason == ""
        assert len(record.probabilities) == 40
        assert sum(record.probabilities.values()) == pytest.approx(10, abs=1e-4)
        assert min(record.probabilities.values()) == pytest.approx(record.min_probability, abs=1e-6)
        members = [m for m in record.members if m.status == MemberStatus.SELECTED]
        assert len(members) == 10
        counts = _features(db, members)
        assert 4 <= counts[("sex", "Female")] <= 6 and 4 <= counts[("sex", "Male")] <= 6
        assert counts[("home_care", "Yes")] >= 3
        assert record.pool_counts["pool"]["sex"] == {"Female": 20, "Male": 20, NOT_SAID: 0}

    def test_the_same_seed_draws_the_same_panel(self, db, database):
        panel = panel_with_pool(db)
        first = [m.pool_ref for m in run_draw(db, database, panel, seed="12345").members]
        second = [m.pool_ref for m in run_draw(db, database, panel, seed="12345").members]
        assert first == second and len(first) == 10

    def test_the_record_replays_the_draw_from_its_lottery_and_seed(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel, seed="2024")
        lottery = record.details["lottery"]
        assert lottery["panels"] and sum(p["probability"] for p in lottery["panels"]) == pytest.approx(1)
        pool_ids = {str(v) for v in db.scalars(select(PanelVolunteer.id))}
        assert {m for group in lottery["groups"] for m in group} <= pool_ids  # ids only
        assert panels_draws.replay_draw(record) == panels_draws.original_members(record)
        assert len(panels_draws.original_members(record)) == 10
        # Replacements later do not change what the draw itself selected.
        panels_draws.replace_member(db, record, next(m for m in record.members if m.volunteer_id).id)
        db.flush()
        db.expire_all()
        record = panels_draws.get_draw(db, panel.id, record.id, with_members=True)
        assert panels_draws.replay_draw(record) == panels_draws.original_members(record)

    def test_the_same_seed_gives_the_same_panel_when_the_work_budget_stops_the_draw(
            self, db, database, monkeypatch):
        monkeypatch.setattr(panels_draws, "DRAW_BUDGET", panel_draw.WorkBudget(pricing_rounds=0, mip_calls=0))
        panel = panel_with_pool(db)
        first = run_draw(db, database, panel, seed="31")
        assert first.status == DrawStatus.DONE, first.message
        assert first.algorithm == "leximin-truncated" and first.details["stopped_by"] == "work-budget"
        assert "work budget" in first.details["note"]
        seen = (first.details["lottery"], first.probabilities, panels_draws.original_members(first))
        second = run_draw(db, database, panel, seed="31")
        assert second.algorithm == "leximin-truncated"
        assert (second.details["lottery"], second.probabilities, panels_draws.original_members(second)) == seen
        assert panels_draws.replay_draw(second) == panels_draws.original_members(second)

    def test_a_blank_seed_is_chosen_at_random_and_recorded(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel, seed="")
        assert record.status == DrawStatus.DONE and 0 <= record.seed < 2**31

    def test_infeasible_targets_fail_with_a_message_naming_the_category(self, db, database):
        panel = panel_with_pool(db)
        set_target(panel, "home_care", "Yes", 11, 12)  # only 10 people with “Yes” in the pool
        db.flush()
        record = run_draw(db, database, panel)
        assert record.status == DrawStatus.FAILED
        assert "home_care" in record.message and "home care" in record.message
        assert record.members == []

    def test_households_rule_picks_at_most_one_per_address(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel, households=True)
        assert record.status == DrawStatus.DONE, record.message
        ids = [m.volunteer_id for m in record.members]
        keys = db.scalars(select(PanelVolunteer.household_key).where(PanelVolunteer.id.in_(ids))).all()
        assert len(keys) == len(set(keys)) == 10

    def test_request_is_checked(self, db):
        panel = panel_with_pool(db, rows=12)
        with pytest.raises(InvalidInput) as error:
            panels_draws.request_draw(db, panel, purpose="", size="13", seed="-1")
        assert set(error.value.errors) == {"purpose", "size", "seed"}

    def test_a_replacement_keeps_every_quota(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        leaving = next(m for m in record.members if m.volunteer_id)
        new = panels_draws.replace_member(db, record, leaving.id)
        db.flush()
        db.expire_all()
        record = panels_draws.get_draw(db, panel.id, record.id, with_members=True)
        current = [m for m in record.members if m.status == MemberStatus.SELECTED]
        assert len(current) == 10 and new.replaces_id == leaving.id and new.replacement_seed is not None
        assert db.get(PanelMember, leaving.id).status == MemberStatus.DECLINED
        counts = _features(db, current)
        assert 4 <= counts[("sex", "Female")] <= 6 and counts[("home_care", "Yes")] >= 3
        with pytest.raises(Conflict):
            panels_draws.replace_member(db, record, leaving.id)


class TestInvitations:
    def test_a_link_of_ours_works_once(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        panels_invitations.set_target(db, record, consultation_id="", target_url="/forums/panel-room",
                                      actor_id=None)
        sent = panels_invitations.send_invitations(db, panel, record, base_url=BASE, actor_id=None)
        db.flush()
        assert sent == 10
        member = record.members[0]
        body = db.scalars(select(OutboxEmail.body_text)
                          .where(OutboxEmail.to_address == member.volunteer.email)
                          .order_by(OutboxEmail.id.desc())).first()
        assert "/panels/manage/" in body
        token = token_in(body, "/panels/invitations")
        assert panels_invitations.use_invitation(db, token) == "/forums/panel-room"
        with pytest.raises(Conflict):
            panels_invitations.use_invitation(db, token)
        assert member.id in panels_invitations.responded_member_ids(db, record)
        assert panels_invitations.send_invitations(db, panel, record, base_url=BASE, actor_id=None) == 0

    def test_invalid_targets_are_refused(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        with pytest.raises(InvalidInput):
            panels_invitations.set_target(db, record, consultation_id="", target_url="//evil.example",
                                          actor_id=None)


class TestReport:
    def test_groups_missing_from_responses_are_flagged_with_who_to_reach(self, db, database):
        panel = panel_with_pool(db)
        record = run_draw(db, database, panel)
        responders = [m for m in record.members if m.volunteer.profile["home_care"] == "No"][:4]
        for member in responders:
            member.responded_at = member.created_at
        db.flush()
        report = panels_report.representativeness(db, panel, record)
        assert report.responded_total == 4 and report.selected_total == 10
        warning = next(w for w in report.warnings if w.feature == "Yes")
        assert warning.category.startswith("Do you use home care") and warning.responded == 0
        assert warning.not_responded >= 3
        home_care = next(c for c in report.categories if c.key == "home_care")
        assert home_care.service_user and home_care.rows[0].bars[0].series == "Target"


@pytest.mark.xdist_group("demo")
class TestDemoPanel:
    def test_the_demo_draw_meets_ward_targets_and_takes_one_person_per_address(self, demo_db):
        from app.demo.panels import PANEL_SIZE, TARGETS, WARDS
        from app.models.panel import Panel

        panel = demo_db.scalars(select(Panel).where(Panel.name == "Riverside Citizens' Panel")).one()
        record = demo_db.scalars(select(PanelDrawRecord).where(PanelDrawRecord.panel_id == panel.id)
                                 .options(selectinload(PanelDrawRecord.members))).one()
        assert record.status == DrawStatus.DONE, record.message
        # The work budget, not the machine's load, decides where LEXIMIN stops: the demo finishes.
        assert record.algorithm == "leximin" and record.one_per_household
        assert "stopped_by" not in record.details
        assert panels_draws.replay_draw(record) == panels_draws.original_members(record)
        ward_targets = {q["feature"]: (q["min"], q["max"]) for q in record.quotas if q["category"] == "ward"}
        assert {ward_targets[ward] for ward in WARDS} == {TARGETS["ward"][WARDS[0]]}
        assert record.details["quota_violations"] == []
        assert sum(record.probabilities.values()) == pytest.approx(PANEL_SIZE, abs=1e-4)
        ids = [m.volunteer_id for m in record.members if m.status == MemberStatus.SELECTED]
        volunteers = demo_db.scalars(select(PanelVolunteer).where(PanelVolunteer.id.in_(ids))
                                     .options(selectinload(PanelVolunteer.special))).all()
        assert len(volunteers) == PANEL_SIZE
        households = [v.household_key for v in volunteers]
        assert len(set(households)) == PANEL_SIZE
        shared = Counter(demo_db.scalars(select(PanelVolunteer.household_key)
                                         .where(PanelVolunteer.panel_id == panel.id)))
        assert any(n > 1 for n in shared.values())  # the rule had something to do
        answers = [{**v.profile, **(v.special.answers if v.special else {})} for v in volunteers]
        for category, targets in TARGETS.items():
            counts = Counter(a.get(category) for a in answers)
            for feature, (low, high) in targets.items():
                assert low <= counts[feature] <= high, (category, feature, counts[feature])
