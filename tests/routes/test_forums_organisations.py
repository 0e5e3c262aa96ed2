"""Organisations: their page, inviting members, and submissions signed off by organisers only."""

from sqlalchemy import select

from app.models.forum import Submission, SubmissionAttachment, SubmissionStatus
from app.models.outbox import OutboxEmail
from app.models.user import Invitation, Role
from app.services.forums import submissions as forums_submissions
from tests.services.test_forums_visibility import build_world, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _org(db, world, user="member_a"):
    from app.models.organisation import Organisation

    return db.get(Organisation, world.users[user].organisation_id)


def _draft(client, org, world, files=None, **overrides):
    data = {"title": "Our response", "review_id": str(world.review.id), "body": "Keep the in-house service."}
    data.update(overrides)
    return client.submit(f"/organisations/{org.slug}/submissions/new", data, files=files)


def test_member_drafts_organiser_signs_off_and_counts_apart(db, client):
    world = build_world(db)
    org = _org(db, world)
    sign_in(client, db, world.users["member_a"])
    response = _draft(client, org, world, files=[("attachments", ("report.pdf", PDF, "application/pdf"))])
    assert response.status_code == 303
    submission = db.scalar(select(Submission).where(Submission.organisation_id == org.id))
    assert submission.status == SubmissionStatus.DRAFT
    # A member cannot sign off; nor can an officer or another organisation's organiser.
    for who in ("member_a", "officer", "organiser_b"):
        sign_in(client, db, world.users[who])
        status = client.submit(f"/organisations/{org.slug}/submissions/{submission.id}/sign-off").status_code
        assert status in (403, 404), who
    # Drafts are not public.
    sign_in(client, db, None)
    assert client.get(f"/organisations/{org.slug}/submissions/{submission.id}").status_code == 404
    assert forums_submissions.counts_by_organisation_type(db, world.review.id) == {}
    sign_in(client, db, world.users["organiser_a"])
    assert client.submit(f"/organisations/{org.slug}/submissions/{submission.id}/sign-off").status_code == 303
    db.refresh(submission)
    assert submission.status == SubmissionStatus.SIGNED_OFF
    assert submission.signed_off_by_id == world.users["organiser_a"].id
    counts = forums_submissions.counts_by_organisation_type(db, world.review.id)
    assert {k.value: v for k, v in counts.items()} == {"tenants_residents": 1}
    sign_in(client, db, None)
    page = client.get(f"/organisations/{org.slug}")
    assert "Our response" in page.text and "Signed off" in page.text
    attachment_id = db.scalar(select(SubmissionAttachment.id).where(
        SubmissionAttachment.submission_id == submission.id))
    attachment = client.get(f"/organisations/{org.slug}/submissions/{submission.id}/attachments/{attachment_id}")
    assert attachment.status_code == 200 and attachment.content == PDF
    assert attachment.headers["content-type"] == "application/pdf"


def test_attachments_must_be_small_pdfs(db, client):
    world = build_world(db)
    org = _org(db, world)
    sign_in(client, db, world.users["member_a"])
    not_pdf = _draft(client, org, world, files=[("attachments", ("x.pdf", b"MZ\x90\x00", "application/pdf"))])
    assert not_pdf.status_code == 422 and "must be a PDF" in not_pdf.text
    wrong_type = _draft(client, org, world, files=[("attachments", ("x.exe", PDF, "application/octet-stream"))])
    assert wrong_type.status_code == 422
    big = PDF + b"0" * (5 * 1024 * 1024)
    too_big = _draft(client, org, world, files=[("attachments", ("big.pdf", big, "application/pdf"))])
    assert too_big.status_code == 422 and "smaller than 5 MB" in too_big.text
    assert 'value="Our response"' in too_big.text  # what was typed is kept
    assert db.scalar(select(Submission.id)) is None


def test_outsiders_cannot_draft(db, client):
    world = build_world(db)
    org = _org(db, world)
    sign_in(client, db, world.users["member_b"])
    assert _draft(client, org, world).status_code == 404


def test_organiser_invites_a_member_who_joins_the_organisation(db, client):
    world = build_world(db)
    org = _org(db, world)
    sign_in(client, db, world.users["organiser_a"])
    response = client.submit(f"/organisations/{org.slug}/members", {"email": "new.member@example.org"})
    assert response.status_code == 303
    invitation = db.scalar(select(Invitation).where(Invitation.email == "new.member@example.org"))
    assert invitation.role == Role.MEMBER and invitation.organisation_id == org.id
    email = db.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "new.member@example.org"))
    link = next(line for line in email.body_text.splitlines() if "/invitations/" in line)
    sign_in(client, db, None)
    accepted = client.submit(link.replace("http://testserver", ""),
                             {"display_name": "New Member", "password": "a long enough password"})
    assert accepted.status_code == 303
    from app.models.user import User

    user = db.scalar(select(User).where(User.email == "new.member@example.org"))
    assert user.role == Role.MEMBER and user.organisation_id == org.id
    # Only organisers invite.
    sign_in(client, db, world.users["member_a"])
    assert client.submit(f"/organisations/{org.slug}/members", {"email": "x@example.org"}).status_code == 404


def test_a_submission_can_answer_one_consultation_of_its_review(db, client):
    from app.services import reviews
    from tests.factories.evidence import consultation_with_answers

    world = build_world(db)
    org = _org(db, world)
    mine, _, _ = consultation_with_answers(db, review=world.review, n=1)
    elsewhere, _, _ = consultation_with_answers(db, review=reviews.create_review(db, title="Parks", service="Parks"),
                                                n=1)
    sign_in(client, db, world.users["member_a"])
    form = client.get(f"/organisations/{org.slug}/submissions/new")
    assert 'name="consultation_id"' in form.text
    refused = _draft(client, org, world, consultation_id=str(elsewhere.id))
    assert refused.status_code == 422 and "Choose a consultation of the same review" in refused.text
    assert _draft(client, org, world, consultation_id=str(mine.id)).status_code == 303
    submission = db.scalar(select(Submission).where(Submission.organisation_id == org.id))
    assert submission.consultation_id == mine.id
