"""The input guard cannot be stepped round by spelling Content-Type differently or by multipart
(issue 22.4), and where a handler keeps the form, a NUL gets the form back with the text kept.
"""

from urllib.parse import urlencode

from sqlalchemy import func, select

from app.models.forum import Submission, SubmissionAttachment, Thread
from app.models.petition import Petition
from tests.routes.test_forums_organisations import PDF
from tests.services.test_forums_visibility import build_world, sign_in

MIXED_CASE = "Application/X-WWW-Form-Urlencoded; Charset=UTF-8"


def _threads(db) -> int:
    return db.scalar(select(func.count(Thread.id)))


def test_mixed_case_and_multipart_bodies_are_checked_too(db, client):
    world = build_world(db)
    forum = world.forums["public"]
    sign_in(client, db, world.users["officer"])
    token = {"X-CSRF-Token": client.csrf_token()}
    before = _threads(db)
    url = f"/forums/{forum.id}/threads"
    mixed = client.post(url, content=urlencode({"title": "Rota\x00s", "body": "words"}),
                        headers={"Content-Type": MIXED_CASE, **token})
    assert mixed.status_code == 400, mixed.status_code
    multipart = client.post(url, data={"title": "Rota\x00s", "body": "words"},
                            files={"unused": ("notes.txt", b"plain", "text/plain")}, headers=token)
    assert multipart.status_code == 400, multipart.status_code
    huge = client.post(url, data={"title": "Rotas", "body": "x" * 600_000},
                       files={"unused": ("notes.txt", b"plain", "text/plain")}, headers=token)
    assert huge.status_code == 413
    assert _threads(db) == before, "a NUL or oversized text reached the database"
    # The same forms, written properly, still work (CSRF token in the body of a mixed-case form).
    fine = client.post(url, content=urlencode({"title": "Rotas", "body": "words", "csrf_token": token["X-CSRF-Token"]}),
                       headers={"Content-Type": MIXED_CASE})
    assert fine.status_code == 303 and _threads(db) == before + 1


def test_uploaded_files_may_hold_nul_bytes_and_megabytes(db, client):
    world = build_world(db)
    member = world.users["member_a"]
    from app.models.organisation import Organisation

    organisation = db.get(Organisation, member.organisation_id)
    sign_in(client, db, member)
    pdf = PDF + b"\x00" * 1_500_000  # a real PDF holds binary streams
    response = client.submit(f"/organisations/{organisation.slug}/submissions/new",
                             {"title": "Our response", "review_id": str(world.review.id), "body": "Keep it."},
                             files=[("attachments", ("report.pdf", pdf, "application/pdf"))])
    assert response.status_code == 303, response.text[:500]
    stored = db.scalar(select(SubmissionAttachment).join(Submission).where(
        Submission.organisation_id == organisation.id))
    assert stored.size_bytes == len(pdf)


def test_a_nul_in_a_petition_gets_the_form_back_with_the_text_kept(db, client):
    """On PostgreSQL this was a 404 "Page not found" and the resident's petition was lost."""
    fields = {"title": "Keep the library\x00 open", "action_text": "Keep it open on Sundays.", "background": "",
              "review_id": "", "name": "Ada Resident", "email": "ada@example.org", "location": "RV1 2AB",
              "consent": "1", "notify": "1"}
    response = client.post("/petitions", content=urlencode(fields),
                           headers={"Content-Type": MIXED_CASE, "X-CSRF-Token": client.csrf_token()})
    assert response.status_code == 422, response.status_code
    assert "invisible character (NUL)" in response.text
    assert 'value="Keep the library open"' in response.text and "Keep it open on Sundays." in response.text
    assert db.scalar(select(func.count(Petition.id))) == 0
