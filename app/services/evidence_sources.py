"""Petitions, forum threads, meetings and organisation submissions as evidence a finding can cite."""

from sqlalchemy import func, select

from app.models.finding import EvidenceKind
from app.models.forum import Forum, Meeting, Post, PostStatus, Submission, SubmissionStatus, Thread
from app.models.organisation import Organisation
from app.models.petition import Petition
from app.services import petitions
from app.services.evidence import EvidenceView, register
from app.services.review_workspace import EvidenceOption, register_provider


@register(EvidenceKind.PETITION)
def _petition(db, petition_id: int) -> EvidenceView | None:
    petition = db.get(Petition, petition_id)
    if petition is None:
        return None
    found = next(
        (p for p in petitions.petitions_for_review(db, petition.review_id or 0) if p.id == petition_id), None
    )
    if found is None:
        return None
    return EvidenceView(
        EvidenceKind.PETITION,
        petition_id,
        f"Petition: {found.title}",
        {"signatures": found.signature_count, "state": found.status_label},
        (),
        found.url,
    )


@register(EvidenceKind.FORUM_THREAD)
def _thread(db, thread_id: int) -> EvidenceView | None:
    thread = db.get(Thread, thread_id)
    if thread is None:
        return None
    forum = db.get(Forum, thread.forum_id)
    posts = (
        db.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == thread.id, Post.status == PostStatus.PUBLISHED
            )
        )
        or 0
    )
    return EvidenceView(
        EvidenceKind.FORUM_THREAD,
        thread_id,
        f"Forum thread: {thread.title} ({forum.title})",
        {"posts": posts},
        (),
        f"/forums/{forum.id}/threads/{thread.id}",
    )


@register(EvidenceKind.MEETING)
def _meeting(db, meeting_id: int) -> EvidenceView | None:
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        return None
    return EvidenceView(
        EvidenceKind.MEETING,
        meeting_id,
        f"Meeting: {meeting.title}",
        {"held on": meeting.held_on.isoformat()},
        (meeting.notes[:300],),
        f"/forums/{meeting.forum_id}",
    )


@register(EvidenceKind.SUBMISSION)
def _submission(db, submission_id: int) -> EvidenceView | None:
    submission = db.get(Submission, submission_id)
    if submission is None or submission.status != SubmissionStatus.SIGNED_OFF:
        return None
    organisation = db.get(Organisation, submission.organisation_id)
    return EvidenceView(
        EvidenceKind.SUBMISSION,
        submission_id,
        f"Submission from {organisation.name}: {submission.title}",
        {"organisation type": organisation.type.label},
        (submission.body[:300],),
        f"/organisations/{organisation.slug}",
    )


@register_provider
def _options(db, review_id: int):
    options = [
        EvidenceOption(f"petition:{p.id}", f"{p.title} ({p.signature_count:,} signatures, {p.status_label})")
        for p in petitions.petitions_for_review(db, review_id)
    ]
    threads = db.execute(
        select(Thread, Forum.title)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(Forum.review_id == review_id)
        .order_by(Thread.id)
    ).all()
    options += [EvidenceOption(f"forum_thread:{t.id}", f"Forum: {t.title} ({title})") for t, title in threads]
    meetings = (
        db.execute(
            select(Meeting).join(Forum, Forum.id == Meeting.forum_id).where(Forum.review_id == review_id)
        )
        .scalars()
        .all()
    )
    options += [
        EvidenceOption(f"meeting:{m.id}", f"Meeting: {m.title} ({m.held_on:%d %B %Y})") for m in meetings
    ]
    submissions = db.execute(
        select(Submission, Organisation.name)
        .join(Organisation, Organisation.id == Submission.organisation_id)
        .where(Submission.review_id == review_id, Submission.status == SubmissionStatus.SIGNED_OFF)
    ).all()
    options += [
        EvidenceOption(f"submission:{s.id}", f"Submission: {s.title} ({name})") for s, name in submissions
    ]
    return "Petitions, forums, meetings and submissions", options
