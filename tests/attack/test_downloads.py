"""Downloads: any attachment name can be sent, and no export can be kept by a cache.

Every export carries personal data or residents' words, so every route that answers with a file
(`Content-Disposition: attachment`) must send `Cache-Control: no-store`. The routes are found from
the app itself, so an export added tomorrow is checked too.
"""

import re
from urllib.parse import unquote

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.downloads import content_disposition
from app.models.coding import CodingFrame
from app.models.consultation import Consultation
from app.models.forum import Forum, Submission, SubmissionAttachment, SubmissionStatus
from app.models.organisation import Organisation
from app.models.panel import Panel
from app.models.review import Review
from app.models.user import Role
from tests.routes.test_forums_organisations import PDF
from tests.services.test_forums_visibility import fast_user, sign_in

pytestmark = pytest.mark.xdist_group("demo")

NAMES = ["Adroddiad ŵyr.pdf", "Sprawozdanie łódź.pdf", "報告書.pdf", 'quote" and \\ back.pdf', "plain.pdf"]


@pytest.mark.parametrize("name", NAMES)
def test_content_disposition_follows_rfc_6266(name):
    value = content_disposition(name)
    value.encode("latin-1")  # always sendable as a header
    ascii_part = re.search(r'filename="([^"]*)"', value).group(1)
    assert ascii_part.isascii() and "\\" not in ascii_part
    starred = re.search(r"filename\*=UTF-8''(\S+)", value)
    assert unquote(starred.group(1)) == name if starred else ascii_part == name


def _submission_with_attachment(db, name):
    organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
    review_id = db.scalars(select(Review.id).order_by(Review.id)).first()
    submission = Submission(organisation_id=organisation.id, review_id=review_id, title="Our view",
                            body="Keep it in house.", status=SubmissionStatus.SIGNED_OFF)
    db.add(submission)
    db.flush()
    attachment = SubmissionAttachment(submission_id=submission.id, filename=name, content_type="application/pdf",
                                      size_bytes=len(PDF), sha256="0" * 64, content=PDF)
    db.add(attachment)
    db.flush()
    return organisation, submission, attachment


def test_a_non_latin_attachment_name_downloads(demo_db, demo_client):
    for name in NAMES[:3]:
        organisation, submission, attachment = _submission_with_attachment(demo_db, name)
        response = demo_client.get(f"/organisations/{organisation.slug}/submissions/{submission.id}"
                                   f"/attachments/{attachment.id}")
        assert response.status_code == 200 and response.content == PDF
        assert "no-store" in response.headers["cache-control"]
        assert unquote(response.headers["content-disposition"].split("filename*=UTF-8''")[1]) == name


EXPORT = re.compile(r"(\.csv|\.json|\.pdf|/attachments/\{[a-z_]+\})$")


def _export_routes(app):
    return sorted({c.path for c in iter_route_contexts(app.routes)
                   if EXPORT.search(c.path) and "GET" in (c.methods or ())
                   and not c.path.startswith(("/openapi", "/api/"))})


def test_every_export_sends_no_store(demo_db, demo_client):
    demo_client.sign_in("admin@riverside.example", DEMO_PASSWORD)
    organisation, submission, attachment = _submission_with_attachment(demo_db, "report.pdf")
    ids = {
        "consultation_id": demo_db.scalars(select(Consultation.id).order_by(Consultation.id)).first(),
        # the question the demo codes by hand, so its coding export exists too (a frame-less one is a 404)
        "question_id": demo_db.scalar(select(CodingFrame.question_id)),
        "panel_id": demo_db.scalars(select(Panel.id).order_by(Panel.id)).first(),
        "forum_id": demo_db.scalars(select(Forum.id).order_by(Forum.id)).first(),
        "slug": organisation.slug, "submission_id": submission.id, "attachment_id": attachment.id,
    }
    routes = _export_routes(demo_client.app)
    assert len(routes) >= 8, routes
    equalities = [p for p in routes if p.endswith("/equalities.csv")]  # the data-protection role's only
    own = [p for p in routes if p.startswith("/my-chorus/")]  # a resident's own data, theirs alone
    staff = [p for p in routes if p not in equalities and p not in own]
    for path in staff + equalities + own:
        if path == (equalities or [None])[0]:
            demo_client.cookies.clear()
            demo_client.sign_in("dpo@riverside.example", DEMO_PASSWORD)
        if path == (own or [None])[0]:
            sign_in(demo_client, demo_db, fast_user(demo_db, Role.RESIDENT))
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        response = demo_client.get(url)
        assert response.status_code == 200, (path, response.status_code)
        assert "attachment" in response.headers.get("content-disposition", ""), path
        assert "no-store" in response.headers.get("cache-control", ""), (path, response.headers)
