"""The officer's loop through the pages: analyse, curate, write a finding, publish 'you said, we did'."""

import pytest
from sqlalchemy import select

from app.jobs import analysis_work
from app.models.analysis import AnalysisRun, Theme, ThemeStatus
from app.models.consultation import ConsultationState
from app.models.finding import Finding, FindingComment
from app.models.outbox import OutboxEmail
from app.models.user import Role
from app.services import themes
from app.services.reviews import team as review_team
from tests import factories
from tests.factories.evidence import consultation_with_answers
from tests.helpers import page


@pytest.fixture
def officer(db):
    account = factories.user(db, Role.OFFICER, email="officer@example.org")
    db.flush()
    return account


@pytest.fixture
def signed_in(client, officer):
    client.sign_in("officer@example.org", factories.PASSWORD)
    return client


def test_officer_runs_curates_and_publishes(signed_in, db, officer):
    consultation, _, free = consultation_with_answers(db, n=80)
    response = signed_in.get(f"/officer/questions/{free.id}/themes")
    assert response.status_code == 200 and "Find themes" in response.text

    response = signed_in.submit(f"/officer/questions/{free.id}/analysis-runs")
    assert response.status_code == 303
    summary_page = signed_in.get(f"/officer/questions/{free.id}/themes")
    html = page(summary_page)
    assert html.find("svg", attrs={"role": "img"}) is not None
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.question_id == free.id)).one()
    method = run.parameters["k_method"]
    shown = html.find("dt", string="Number of themes").find_next("dd").get_text()
    assert shown.startswith({"size": "Set by size", "silhouette": "Read from the answers"}[method])
    theme = themes.live_themes(db, free.id)[0]
    assert theme.label in summary_page.text

    response = signed_in.submit(f"/officer/themes/{theme.id}/rename", {"label": "Visits <b>late</b>"})
    assert response.status_code == 303
    theme_page = signed_in.get(f"/officer/themes/{theme.id}")
    assert "Visits &lt;b&gt;late&lt;/b&gt;" in theme_page.text
    assert signed_in.submit(f"/officer/themes/{theme.id}/approve").status_code == 303

    response = signed_in.submit(f"/officer/reviews/{consultation.review_id}/findings", [
        ("stage", "consult"), ("statement", "People want visits on time."), ("evidence", f"theme:{theme.id}")])
    assert response.status_code == 303
    finding = db.scalars(select(Finding)).one()
    finding_page = signed_in.get(response.headers["location"])
    assert "Visits &lt;b&gt;late&lt;/b&gt;" in finding_page.text
    assert signed_in.submit(f"/officer/findings/{finding.id}/publish").status_code == 303

    consultation.state = ConsultationState.PUBLISHED
    db.flush()
    signed_in.submit(f"/consultations/{consultation.id}/results-updates", {"email": "resident@example.org"})
    response = signed_in.submit(f"/officer/consultations/{consultation.id}/outcome", [
        ("decision", "We will keep the in-house service and fix visit times."),
        ("findings", str(finding.id)), ("notify", "yes")])
    assert response.status_code == 303
    emails = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "resident@example.org")).all()
    assert len(emails) == 1 and "you-said-we-did" in emails[0].body_text

    public = signed_in.get(f"/consultations/{consultation.id}/you-said-we-did")
    assert public.status_code == 200
    assert "We will keep the in-house service" in public.text
    assert "People want visits on time." in public.text
    api = signed_in.get(f"/api/v1/consultations/{consultation.id}/themes").json()
    labels = [t["label"] for q in api["questions"] for t in q["themes"]]
    assert labels == ["Visits <b>late</b>"]  # approved themes only


def test_progress_fragment_polls_while_running_and_refreshes_when_done(signed_in, db, officer):
    from app.services.themes import runs as analysis_runs

    _, _, free = consultation_with_answers(db, n=20)
    run = analysis_runs.start_run(db, free, officer)
    db.flush()
    fragment = signed_in.get(f"/officer/analysis-runs/{run.id}/progress", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.text and "<html" not in fragment.text
    analysis_work.execute_run(signed_in.app.state.database, run.id)
    done = signed_in.get(f"/officer/analysis-runs/{run.id}/progress", headers={"HX-Request": "true"})
    assert done.headers.get("hx-refresh") == "true"


def test_unpublished_results_are_not_public(client, db):
    consultation, _, _ = consultation_with_answers(db, n=5)
    assert client.get(f"/consultations/{consultation.id}/you-said-we-did").status_code == 404
    assert client.get(f"/api/v1/consultations/{consultation.id}/themes").status_code == 404


def test_team_member_reads_and_comments_but_cannot_curate(client, db, officer):
    consultation, _, free = consultation_with_answers(db, n=10)
    other, _, _ = consultation_with_answers(db, n=5)
    rep = factories.user(db, Role.ORGANISER, email="rep@example.org")
    review_team.add_member(db, review_id=consultation.review_id, email=rep.email, role="member",
                           officer=officer)
    from app.services.reviews import findings

    mine = findings.write_finding(db, review_id=consultation.review_id, stage="consult",
                                  statement="Draft A", evidence_refs=[], officer=officer)
    theirs = findings.write_finding(db, review_id=other.review_id, stage="consult",
                                    statement="Draft B", evidence_refs=[], officer=officer)
    db.flush()
    client.sign_in("rep@example.org", factories.PASSWORD)
    assert client.get(f"/officer/reviews/{consultation.review_id}").status_code == 200
    assert client.get(f"/officer/reviews/{other.review_id}").status_code == 404
    assert client.get(f"/officer/findings/{theirs.id}").status_code == 404
    assert "Draft B" not in client.get("/officer/reviews").text
    response = client.submit(f"/officer/findings/{mine.id}/comments", {"body": "Union agrees"},
                             headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Union agrees" in response.text and "<html" not in response.text
    assert db.scalars(select(FindingComment.body)).all() == ["Union agrees"]
    assert client.submit(f"/officer/questions/{free.id}/analysis-runs").status_code == 403
    assert client.submit(f"/officer/findings/{mine.id}/publish").status_code == 403


def test_empty_finding_re_renders_with_errors(signed_in, db):
    consultation, _, _ = consultation_with_answers(db, n=5)
    response = signed_in.submit(f"/officer/reviews/{consultation.review_id}/findings",
                                {"stage": "", "statement": ""})
    assert response.status_code == 422
    assert 'href="#stage"' in response.text and 'href="#statement"' in response.text


def test_exports_are_safe_for_spreadsheets(signed_in, db, officer):
    from app.services.themes import runs as analysis_runs

    consultation, _, free = consultation_with_answers(db, n=40)
    run = analysis_runs.start_run(db, free, officer)
    db.flush()
    analysis_work.execute_run(signed_in.app.state.database, run.id)
    theme = db.scalars(select(Theme).where(Theme.status == ThemeStatus.PROPOSED, Theme.parent_id.is_(None))
                       .order_by(Theme.id)).first()
    themes.rename(db, theme, "=HYPERLINK(\"http://evil.example\")", officer)
    db.flush()
    csv_text = signed_in.get(f"/officer/questions/{free.id}/themes.csv").text
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    data = signed_in.get(f"/officer/questions/{free.id}/themes.json").json()
    assert data["themes"] and all("quotes" in t for t in data["themes"])
    report = signed_in.get(f"/officer/consultations/{consultation.id}/report")
    assert report.status_code == 200 and "@media print" not in report.text
