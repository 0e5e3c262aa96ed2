"""JSON API: open data lists, questions, anonymous and staff responses, 422 naming fields, results."""

from sqlalchemy import func, select

from app.models.consultation import Audience
from app.models.consultation_response import Response
from app.services import consultations as service
from app.services.consultations import channels
from tests import factories
from tests.services import consultation_helpers as make


def body(qs, key="api-1", **overrides):
    values = {"idempotency_key": key, "respondent_type": "resident", "answers": make.answers(qs)}
    values.update(overrides)
    return values


class TestReading:
    def test_lists_open_and_published_only(self, client, db):
        _open_one, _ = make.consultation(db, title="Open one")
        _draft, _ = make.consultation(db, title="Draft one", open_it=False)
        listed = {c["title"] for c in client.get("/api/v1/consultations").json()}
        assert "Open one" in listed and "Draft one" not in listed

    def test_detail_has_questions(self, client, db):
        made, qs = make.consultation(db)
        detail = client.get(f"/api/v1/consultations/{made.id}").json()
        assert [q["id"] for q in detail["questions"]][:1] == [qs["rating"].id]
        assert "carer" in detail["respondent_types"]

    def test_documented_in_openapi(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        for path in ["/api/v1/consultations", "/api/v1/consultations/{consultation_id}",
                     "/api/v1/consultations/{consultation_id}/responses",
                     "/api/v1/consultations/{consultation_id}/results"]:
            assert path in paths

    def test_results_only_when_published(self, client, db):
        made, qs = make.consultation(db)
        make.submit(db, made, qs, "r")
        assert client.get(f"/api/v1/consultations/{made.id}/results").status_code == 404
        service.close_consultation(db, made)
        service.publish_consultation(db, made)
        db.flush()
        found = client.get(f"/api/v1/consultations/{made.id}/results").json()
        assert found["total"] == 1
        rank = next(q for q in found["questions"] if q["id"] == qs["rank"].id)
        assert rank["ranking"][0]["label"] == "On time"
        assert "They know my mum." not in str(found)


class TestPosting:
    def test_anonymous_response_and_retry(self, client, db):
        made, qs = make.consultation(db)
        first = client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs))
        retry = client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs))
        assert first.status_code == 201 and retry.status_code == 200
        assert first.json()["reference"] == retry.json()["reference"]
        channel = db.scalar(select(Response.channel).where(Response.consultation_id == made.id))
        assert channel.value == "api"

    def test_422_says_which_field(self, client, db):
        made, qs = make.consultation(db)
        bad = client.post(f"/api/v1/consultations/{made.id}/responses",
                          json=body(qs, answers=make.answers(qs, rating="11")))
        assert bad.status_code == 422
        assert {"field": f"body.answers.{qs['rating'].id}", "message": "Choose a point on the scale"} \
            in bad.json()["errors"]
        malformed = client.post(f"/api/v1/consultations/{made.id}/responses",
                                json={"respondent_type": "wizard", "answers": []})
        fields = {e["field"] for e in malformed.json()["errors"]}
        assert {"body.respondent_type", "body.idempotency_key", "body.answers"} <= fields

    def test_not_json_is_refused(self, client, db):
        made, _ = make.consultation(db)
        response = client.post(f"/api/v1/consultations/{made.id}/responses", content=b"respondent_type=x",
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 415

    def test_anonymous_is_rate_limited(self, client, db, app):
        app.state.rate_limiter.reset()
        made, qs = make.consultation(db)
        statuses = [client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs, key=f"k{n}"))
                    .status_code for n in range(31)]
        assert statuses[:30] == [201] * 30 and statuses[30] == 429
        app.state.rate_limiter.reset()

    def test_invitation_only_refuses_anonymous(self, client, db):
        made, qs = make.consultation(db, audience=Audience.PANEL)
        assert client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs)).status_code == 409

    def test_closed_refuses_anonymous_but_staff_may_add_late_paper(self, client, db):
        made, qs = make.consultation(db)
        service.close_consultation(db, made)
        _token, secret = channels.create_api_token(db, name="Paper", actor_id=factories.user(db).id)
        db.flush()
        assert client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs)).status_code == 409
        staff = client.post(f"/api/v1/consultations/{made.id}/responses",
                            json=body(qs, channel="paper", is_panel=True, submitted_at="2026-11-01T10:00:00Z"),
                            headers={"Authorization": f"Bearer {secret}"})
        assert staff.status_code == 201
        response = db.scalar(select(Response).where(Response.consultation_id == made.id))
        assert response.channel.value == "paper" and response.is_panel
        assert response.submitted_at.day == 1

    def test_closing_refuses_the_very_next_answer(self, client, db):
        made, qs = make.consultation(db)
        url = f"/api/v1/consultations/{made.id}/responses"
        assert client.post(url, json=body(qs, key="before")).status_code == 201  # questions cached now
        service.close_consultation(db, made)
        db.flush()
        refused = client.post(url, json=body(qs, key="after"))
        assert refused.status_code == 409
        assert "has closed" in refused.json()["detail"]

    def test_bad_token_is_401(self, client, db):
        made, qs = make.consultation(db)
        response = client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs),
                               headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401
        assert db.scalar(select(func.count()).where(Response.consultation_id == made.id)) == 0

    def test_draft_is_not_found(self, client, db):
        made, qs = make.consultation(db, open_it=False)
        assert client.post(f"/api/v1/consultations/{made.id}/responses", json=body(qs)).status_code == 404
