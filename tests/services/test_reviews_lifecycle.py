"""Reviews from nothing: created, scheduled, moved along the timeline, concluded; councillors on scrutiny;
consultations and forums that stand alone, seen and managed as review_access decides."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.forum import ForumVisibility
from app.models.review import ReviewStatus, TimelineStage
from app.models.user import Role
from app.services import consultations, forums, reviews
from app.services.reviews import access as review_access
from app.services.reviews import findings
from app.services.reviews import team as review_team
from tests import factories


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER)


def _actions(db, review_id):
    return [e.action for e in db.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "review", AuditEvent.object_id == review_id).order_by(AuditEvent.id))]


def test_a_review_is_created_scheduled_moved_and_concluded(db, officer):
    review = reviews.create_review(db, title=" Review of libraries ", service="Libraries",
                                   scope="Branch opening hours; not the mobile library.",
                                   lead_officer_id=officer.id, starts_on=date(2027, 1, 4),
                                   ends_on=date(2027, 9, 30), actor=officer)
    assert (review.title, review.status, review.stage) == ("Review of libraries", ReviewStatus.PLANNED,
                                                            TimelineStage.SCOPING)
    review = reviews.get_review(db, review.id)
    reviews.schedule(db, review, {TimelineStage.SCOPING: (date(2027, 1, 4), date(2027, 1, 29)),
                                  TimelineStage.CONSULT: (date(2027, 3, 1), None)}, actor=officer)
    reviews.schedule(db, review, {TimelineStage.CONSULT: (date(2027, 3, 1), date(2027, 4, 30))}, actor=officer)
    entries = {e.stage: e for e in reviews.timeline(review)}
    assert entries[TimelineStage.SCOPING].state == "current"
    assert entries[TimelineStage.CONSULT].ends_on == date(2027, 4, 30)
    assert len(review.stage_dates) == 2  # the second schedule changed the consult row, no duplicate

    reviews.move_to(db, review, TimelineStage.CONSULT, actor=officer)
    assert review.status == ReviewStatus.IN_PROGRESS
    states = [e.state for e in reviews.timeline(review)]
    assert states == ["done", "done", "done", "current", "upcoming", "upcoming", "upcoming", "upcoming"]
    with pytest.raises(Conflict):
        reviews.move_to(db, review, TimelineStage.IMPLEMENTATION, actor=officer)

    reviews.conclude(db, review, decision="Keep all branches; open two on Sundays.",
                     decided_on=date(2026, 11, 12), actor=officer)
    assert (review.status, review.stage, review.decided_on) == (
        ReviewStatus.CONCLUDED, TimelineStage.IMPLEMENTATION, date(2026, 11, 12))
    assert review.concluded_at is not None
    assert [e.state for e in reviews.timeline(review)][5:] == ["done", "current", "upcoming"]
    with pytest.raises(Conflict):
        reviews.conclude(db, review, decision="Again", decided_on=date(2026, 11, 12), actor=officer)
    with pytest.raises(Conflict):
        reviews.move_to(db, review, TimelineStage.COMPARE, actor=officer)
    reviews.move_to(db, review, TimelineStage.FOLLOW_UP, actor=officer)
    assert _actions(db, review.id) == ["review.create", "review.schedule", "review.schedule", "review.stage",
                                       "review.conclude", "review.stage"]


def test_wrong_details_are_refused_with_a_message_per_field(db, officer):
    with pytest.raises(InvalidInput) as refused:
        reviews.create_review(db, title="", service="", starts_on=date(2027, 5, 1), ends_on=date(2027, 4, 1),
                              lead_officer_id=999_999, actor=officer)
    assert set(refused.value.errors) == {"title", "service", "ends_on", "lead_officer_id"}
    review = reviews.create_review(db, title="Parks", service="Parks", actor=officer)
    with pytest.raises(InvalidInput) as refused:
        reviews.conclude(db, review, decision=" ", decided_on=utcnow().date() + timedelta(days=2), actor=officer)
    assert set(refused.value.errors) == {"decision", "decided_on"}
    with pytest.raises(InvalidInput):
        reviews.schedule(db, reviews.get_review(db, review.id),
                         {TimelineStage.COMPARE: (date(2027, 5, 1), date(2027, 4, 1))}, actor=officer)


def test_a_councillor_reads_comments_and_records_scrutiny_but_never_edits(db, officer):
    councillor = factories.user(db, Role.COUNCILLOR)
    outsider = factories.user(db, Role.COUNCILLOR)
    review = reviews.create_review(db, title="Home care", service="Home care", actor=officer)
    with pytest.raises(InvalidInput):  # a councillor joins as scrutiny, nothing else
        review_team.add_member(db, review_id=review.id, email=councillor.email, role="member", officer=officer)
    review_team.add_member(db, review_id=review.id, email=councillor.email, role="scrutiny", officer=officer)
    finding = findings.write_finding(db, review_id=review.id, stage="consult", statement="People want visits on time.",
                                     evidence_refs=[], officer=officer)
    db.flush()

    assert review_access.readable_reviews(db, councillor) == [review]
    assert review_access.readable_reviews(db, outsider) == []
    findings.comment(db, finding, councillor, "Has the union seen this?")
    findings.record_scrutiny_view(db, finding, councillor, "The panel agrees, and asks for monthly figures.")
    assert finding.scrutiny_view.startswith("The panel agrees") and finding.scrutiny_view_by_id == councillor.id
    with pytest.raises(NotFound):
        findings.record_scrutiny_view(db, finding, outsider, "Not on the team")
    with pytest.raises(NotFound):
        findings.record_scrutiny_view(db, finding, officer, "Officers do not speak for scrutiny")
    for edit in (lambda: findings.publish(db, finding, councillor),
                 lambda: reviews.move_to(db, review, TimelineStage.CONSULT, actor=councillor),
                 lambda: reviews.conclude(db, review, decision="x", decided_on=date(2027, 1, 1), actor=councillor),
                 lambda: findings.write_finding(db, review_id=review.id, stage="consult", statement="x",
                                                evidence_refs=[], officer=councillor)):
        with pytest.raises(Forbidden):
            edit()


def test_team_roles_fit_the_account(db, officer):
    organiser = factories.user(db, Role.ORGANISER)
    review = reviews.create_review(db, title="Home care", service="Home care", actor=officer)
    with pytest.raises(InvalidInput):
        review_team.add_member(db, review_id=review.id, email=organiser.email, role="lead", officer=officer)
    with pytest.raises(InvalidInput):
        review_team.add_member(db, review_id=review.id, email=organiser.email, role="scrutiny", officer=officer)
    member = review_team.add_member(db, review_id=review.id, email=organiser.email, role="member", officer=officer)
    assert member.role.label == "Reads evidence, comments on drafts"


def test_stand_alone_consultations_and_forums(db, officer):
    other_officer = factories.user(db, Role.OFFICER)
    organiser = factories.user(db, Role.ORGANISER)
    councillor = factories.user(db, Role.COUNCILLOR)
    alone = consultations.create_consultation(db, review_id=None, title="Christmas lights", actor_id=officer.id)
    assert alone.review_id is None
    for viewer in (officer, other_officer):
        assert review_access.readable_consultation(db, viewer, alone.id) == alone
        assert review_access.can_manage_consultation(viewer, alone)
    for viewer in (organiser, councillor, None):
        assert not review_access.can_manage_consultation(viewer, alone)
        with pytest.raises(NotFound):
            review_access.readable_consultation(db, viewer, alone.id)
    with pytest.raises(InvalidInput):
        consultations.create_consultation(db, review_id=999_999, title="No such review")

    forum = forums.create_forum(db, officer, review_id=None, title="Town centre traders",
                                visibility=ForumVisibility.PUBLIC, consultation_id=alone.id)
    assert forum.review_id is None and forum.consultation_id == alone.id
    review = reviews.create_review(db, title="Home care", service="Home care", actor=officer)
    with pytest.raises(InvalidInput) as refused:  # a review's forum cannot speak to a stand-alone consultation
        forums.create_forum(db, officer, review_id=review.id, title="Carers", visibility=ForumVisibility.PUBLIC,
                            consultation_id=alone.id)
    assert "consultation_id" in refused.value.errors


def test_only_public_reviews_reach_residents(db, officer):
    review = reviews.create_review(db, title="Home care", service="Home care", actor=officer)
    assert reviews.public_reviews(db) == []
    with pytest.raises(NotFound):
        reviews.public_review(db, review.id)
    reviews.update_review(db, review, title="Home care", service="Home care", summary="", scope="",
                          lead_officer_id=None, starts_on=None, ends_on=None, is_public=True, actor=officer)
    assert reviews.public_reviews(db) == [review]
    assert reviews.public_review(db, review.id) == review
