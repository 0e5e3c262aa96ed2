"""Findings cite petitions and forum threads as live evidence (the demo council's)."""

import pytest
from sqlalchemy import select

from app.models.finding import EvidenceKind
from app.models.forum import Forum, Thread
from app.models.petition import Petition
from app.models.user import User
from app.services.reviews import findings
from app.services.reviews import workspace as review_workspace

# The demo council is loaded once per worker and backend: keep its users on one worker.
pytestmark = pytest.mark.xdist_group("demo")


def test_petitions_and_threads_are_offered_and_cited(demo_db):
    officer = demo_db.scalars(select(User).where(User.email == "officer@riverside.example")).one()
    petition = demo_db.scalars(select(Petition).where(Petition.review_id.is_not(None)).order_by(Petition.id)).first()
    thread = demo_db.scalars(select(Thread).join(Forum, Forum.id == Thread.forum_id)
                             .where(Forum.review_id == petition.review_id).order_by(Thread.id)).first()
    options = {o.value for _, group in review_workspace.evidence_options(demo_db, petition.review_id) for o in group}
    assert f"forum_thread:{thread.id}" in options
    finding = findings.write_finding(
        demo_db, review_id=petition.review_id, stage="consult", statement="Residents petitioned to keep it.",
        evidence_refs=[(EvidenceKind.FORUM_THREAD, thread.id)], officer=officer)
    items = findings.evidence_items(demo_db, finding)
    assert items[0].now.figures["posts"] >= 1 and not items[0].changed
    petitions_offered = [v for v in options if v.startswith("petition:")]
    if petitions_offered:
        kind, object_id = petitions_offered[0].split(":")
        findings.attach(demo_db, finding, EvidenceKind(kind), int(object_id), officer)
        demo_db.flush()
        cited = findings.evidence_items(demo_db, finding)[-1]
        assert cited.now.figures["signatures"] >= 0 and cited.now.title.startswith("Petition:")
