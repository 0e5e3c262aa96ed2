"""The seam for analysis and the review workspace: forum posts, meeting notes and organisations'
submissions as free-text evidence.

Only published posts (never hidden, pending or rejected ones) and signed-off submissions; never an
anonymous author: anonymous posts carry no organisation, only the kind "staff_post".
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models.consultation import Consultation
from app.models.forum import (
    Forum,
    ForumVisibility,
    Meeting,
    Post,
    PostStatus,
    Submission,
    SubmissionStatus,
    Thread,
)
from app.models.organisation import OrganisationType
from app.models.user import User

KINDS = ("post", "staff_post", "meeting_notes", "submission")


@dataclass(frozen=True)
class EvidenceText:
    id: int
    kind: str  # one of KINDS
    text: str
    forum: str | None
    organisation_type: OrganisationType | None
    speaks_for_organisation: bool = False
    forum_is_public: bool = False

    @property
    def source(self) -> str:
        """The kind of row the text is: "post", "meeting" or "submission"."""
        return {"post": "post", "staff_post": "post", "meeting_notes": "meeting"}.get(self.kind, "submission")


def forum_texts_for_review(db: Session, review_id: int) -> list[EvidenceText]:
    forums = Forum.review_id == review_id
    return (_posts(db, forums) + _meeting_notes(db, forums)
            + _submissions(db, Submission.review_id == review_id))


def forum_texts_for_consultation(db: Session, consultation: Consultation) -> list[EvidenceText]:
    """Evidence that speaks to one consultation: forums and submissions linked to it, and those of
    its review that are linked to no consultation in particular."""
    forums, submissions = _scope(consultation)
    return _posts(db, forums) + _meeting_notes(db, forums) + _submissions(db, submissions)


def evidence_counts(db: Session, consultation: Consultation) -> dict[str, int]:
    """How many posts, meeting records and submissions speak to a consultation, counted in SQL."""
    forums, submissions = _scope(consultation)
    posts = select(func.count(Post.id)).join(Forum, Forum.id == Post.forum_id).where(
        forums, Post.status == PostStatus.PUBLISHED)
    meetings = select(func.count(Meeting.id)).join(Forum, Forum.id == Meeting.forum_id).where(
        forums, func.length(func.trim(Meeting.notes)) > 0)
    signed = select(func.count(Submission.id)).where(
        submissions, Submission.status == SubmissionStatus.SIGNED_OFF)
    return {"post": db.scalar(posts) or 0, "meeting": db.scalar(meetings) or 0,
            "submission": db.scalar(signed) or 0}


def _scope(consultation: Consultation):
    if consultation.review_id is None:  # a stand-alone consultation: only what is linked to it
        return Forum.consultation_id == consultation.id, Submission.consultation_id == consultation.id
    forums = or_(Forum.consultation_id == consultation.id,
                 and_(Forum.review_id == consultation.review_id, Forum.consultation_id.is_(None)))
    submissions = or_(Submission.consultation_id == consultation.id,
                      and_(Submission.review_id == consultation.review_id,
                           Submission.consultation_id.is_(None)))
    return forums, submissions


def _posts(db: Session, forums) -> list[EvidenceText]:
    rows = db.scalars(
        select(Post).join(Forum, Forum.id == Post.forum_id)
        .where(forums, Post.status == PostStatus.PUBLISHED)
        .options(joinedload(Post.thread).joinedload(Thread.forum),
                 joinedload(Post.author).joinedload(User.organisation))
        .order_by(Post.id)
    ).all()
    texts = []
    for post in rows:
        forum = post.thread.forum
        if forum.visibility == ForumVisibility.STAFF_ONLY:
            texts.append(EvidenceText(post.id, "staff_post", post.body_text, forum.title, None))
            continue
        organisation = post.author.organisation if post.author else None
        texts.append(EvidenceText(post.id, "post", post.body_text, forum.title,
                                  organisation.type if organisation else None,
                                  speaks_for_organisation=organisation is not None,
                                  forum_is_public=forum.visibility == ForumVisibility.PUBLIC))
    return texts


def _meeting_notes(db: Session, forums) -> list[EvidenceText]:
    rows = db.scalars(
        select(Meeting).join(Forum, Forum.id == Meeting.forum_id).where(forums)
        .options(joinedload(Meeting.forum).joinedload(Forum.organisation)).order_by(Meeting.id)
    ).all()
    return [EvidenceText(m.id, "meeting_notes", m.notes, m.forum.title,
                         m.forum.organisation.type if m.forum.organisation else None,
                         speaks_for_organisation=m.forum.organisation is not None,
                         forum_is_public=m.forum.visibility == ForumVisibility.PUBLIC)
            for m in rows if m.notes.strip()]


def _submissions(db: Session, submissions) -> list[EvidenceText]:
    rows = db.scalars(
        select(Submission).where(submissions, Submission.status == SubmissionStatus.SIGNED_OFF)
        .options(joinedload(Submission.organisation)).order_by(Submission.id)
    ).all()
    return [EvidenceText(s.id, "submission", f"{s.title}\n\n{s.body}", None, s.organisation.type,
                         speaks_for_organisation=True, forum_is_public=True)
            for s in rows]
