"""The seam for the review workspace: forum posts, meeting notes and organisations' submissions
of a review as free-text evidence.

Only published posts (never hidden, pending or rejected ones), never an anonymous author:
anonymous posts carry no organisation, only the kind "staff_post".
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

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


@dataclass(frozen=True)
class EvidenceText:
    id: int
    kind: str  # "post" | "staff_post" (anonymous) | "meeting_notes" | "submission"
    text: str
    forum: str | None
    organisation_type: OrganisationType | None


def forum_texts_for_review(db: Session, review_id: int) -> list[EvidenceText]:
    texts = _posts(db, review_id) + _meeting_notes(db, review_id) + _submissions(db, review_id)
    return texts


def _posts(db: Session, review_id: int) -> list[EvidenceText]:
    rows = db.scalars(
        select(Post).join(Forum, Forum.id == Post.forum_id)
        .where(Forum.review_id == review_id, Post.status == PostStatus.PUBLISHED)
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
                                  organisation.type if organisation else None))
    return texts


def _meeting_notes(db: Session, review_id: int) -> list[EvidenceText]:
    rows = db.scalars(
        select(Meeting).join(Forum, Forum.id == Meeting.forum_id).where(Forum.review_id == review_id)
        .options(joinedload(Meeting.forum).joinedload(Forum.organisation)).order_by(Meeting.id)
    ).all()
    return [EvidenceText(m.id, "meeting_notes", m.notes, m.forum.title,
                         m.forum.organisation.type if m.forum.organisation else None) for m in rows]


def _submissions(db: Session, review_id: int) -> list[EvidenceText]:
    rows = db.scalars(
        select(Submission).where(Submission.review_id == review_id,
                                 Submission.status == SubmissionStatus.SIGNED_OFF)
        .options(joinedload(Submission.organisation)).order_by(Submission.id)
    ).all()
    return [EvidenceText(s.id, "submission", f"{s.title}\n\n{s.body}", None, s.organisation.type)
            for s in rows]
