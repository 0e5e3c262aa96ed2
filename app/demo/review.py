"""The whole loop on first start: the closed survey analysed, themes curated, findings published,
and 'you said, we did' live for residents."""

from datetime import date

from sqlalchemy import select

from app.config import get_settings
from app.demo.consultations import BETTER_QUESTION, WHY_QUESTION
from app.jobs import analysis_work
from app.models.consultation import Consultation, ConsultationState, Question, QuestionKind
from app.models.finding import EvidenceKind, TeamRole
from app.models.review import TimelineStage
from app.services import consultations as consultation_service
from app.services import reviews, themes
from app.services.reviews import findings, outcomes
from app.services.reviews import team as review_team
from app.services.themes import runs as analysis_runs

ORDER = 90

DECISION = (
    "The council will keep the in-house home-care service. Over the next year it will publish visit "
    "times a week ahead, keep the same carers with the same people wherever it can, and tell people "
    "when a carer is running late. The review team will report on progress to the Adult Social Care "
    "Scrutiny Committee in six months."
)


SCRUTINY_VIEW = (
    "The Adult Social Care Scrutiny Committee agrees with this finding and asks the review team to "
    "report visit punctuality to it every quarter."
)

# The consult-stage findings, one per free-text question, cite that question's two largest themes.
FINDING_OPENINGS = {
    WHY_QUESTION: "Asked why they gave their rating, patients wrote most about",
    BETTER_QUESTION: "Asked what the service could do better, patients most often raised",
}


def load(db, demo) -> None:
    closed = db.scalars(select(Consultation).where(
        Consultation.review_id == demo.review.id, Consultation.state == ConsultationState.CLOSED)).first()
    officer = demo.users.get("officer@riverside.example")
    if closed is None or officer is None:
        return
    questions = db.scalars(select(Question).where(
        Question.consultation_id == closed.id,
        Question.kind.in_([QuestionKind.LONG_TEXT, QuestionKind.SHORT_TEXT])).order_by(Question.id)).all()
    curated = {}
    for question in questions:
        run = analysis_runs.start_run(db, question, officer, seed=0)
        analysis_work.run_now(db, run)  # the demo loader is a command, never the web process
        curated[question.text] = _curate(db, question, officer)
    _team(db, demo, officer)
    _timeline(db, demo, officer)
    published = _findings(db, demo, closed, curated, officer)
    councillor = demo.users.get("councillor@riverside.example")
    if councillor is not None and published:
        findings.record_scrutiny_view(db, published[0], councillor, SCRUTINY_VIEW)
    consultation_service.publish_consultation(db, closed, actor_id=officer.id)
    outcomes.save_outcome(db, closed, decision=DECISION, what_happened="",
                          finding_ids=[f.id for f in published], officer=officer)
    views = "; ".join(f"{len(themes.live_themes(db, q.id))} themes from '{q.text}' at "
                      f"/officer/questions/{q.id}/themes" for q in questions)
    demo.notes.append(
        f"Analysis ({get_settings().analysis_embedder}): {views}; "
        f"residents' 'you said, we did' at /consultations/{closed.id}/you-said-we-did; "
        f"the review workspace at /officer/reviews/{demo.review.id}.")


def _curate(db, question, officer):
    """The officer has approved the largest themes (up to 4), and left at least one to read."""
    live = themes.live_themes(db, question.id)
    approved = live[:max(1, min(4, len(live) - 1))]
    for theme in approved:
        themes.approve(db, theme, officer)
    return approved


def _team(db, demo, officer):
    review_team.add_member(db, review_id=demo.review.id, email=officer.email, role=TeamRole.LEAD.value,
                           officer=officer)
    for email in ("organiser@unison.example", "organiser@tenants.example"):
        if email in demo.users:
            review_team.add_member(db, review_id=demo.review.id, email=email, role=TeamRole.MEMBER.value,
                                   officer=officer)
    if "councillor@riverside.example" in demo.users:
        review_team.add_member(db, review_id=demo.review.id, email="councillor@riverside.example",
                               role=TeamRole.SCRUTINY.value, officer=officer)


SCHEDULE = {
    TimelineStage.SCOPING: (date(2026, 9, 1), date(2026, 9, 30)),
    TimelineStage.CHALLENGE: (date(2026, 10, 1), date(2026, 10, 31)),
    TimelineStage.COMPARE: (date(2026, 10, 1), date(2026, 11, 30)),
    TimelineStage.CONSULT: (date(2026, 11, 1), date(2027, 1, 31)),
    TimelineStage.COMPETE: (date(2027, 2, 1), date(2027, 3, 31)),
    TimelineStage.DECISION: (date(2027, 4, 1), date(2027, 4, 30)),
    TimelineStage.IMPLEMENTATION: (date(2027, 5, 1), date(2028, 4, 30)),
    TimelineStage.FOLLOW_UP: (date(2027, 11, 1), date(2027, 11, 30)),
}


def _timeline(db, demo, officer):
    """The review is public, scheduled, and at its consult stage."""
    review = reviews.get_review(db, demo.review.id)
    reviews.schedule(db, review, SCHEDULE, actor=officer)
    reviews.move_to(db, review, TimelineStage.CONSULT, actor=officer)
    reviews.update_review(db, review, title=review.title, service=review.service, summary=review.summary,
                          scope=review.scope, lead_officer_id=review.lead_officer_id,
                          starts_on=review.starts_on, ends_on=review.ends_on, is_public=True, actor=officer)


def _findings(db, demo, consultation, curated, officer):
    rating = db.scalars(select(Question).where(Question.consultation_id == consultation.id,
                                               Question.kind == QuestionKind.RATING)).first()
    written = []
    for question_text, opening in FINDING_OPENINGS.items():
        chosen = curated.get(question_text, [])[:2]
        if chosen:
            labels = " and ".join(f"“{t.label}”" for t in chosen)
            written.append(findings.write_finding(
                db, review_id=demo.review.id, stage="consult", statement=f"{opening} {labels}.",
                evidence_refs=[(EvidenceKind.THEME, t.id) for t in chosen], officer=officer))
    if rating:
        written.append(findings.write_finding(
            db, review_id=demo.review.id, stage="challenge",
            statement=("Most patients rate the care they received as good or very good (the demo's "
                       "ratings are illustrative): the case for changing how care is provided must "
                       "come from elsewhere."),
            evidence_refs=[(EvidenceKind.QUESTION, rating.id)], officer=officer))
    for finding in written:
        db.flush()
        findings.publish(db, finding, officer)
    findings.write_finding(
        db, review_id=demo.review.id, stage="compare",
        statement="Draft: compare visit punctuality with two neighbouring councils before concluding.",
        evidence_refs=[], officer=officer)
    return written
