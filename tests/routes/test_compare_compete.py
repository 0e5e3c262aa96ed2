"""Issue 24 through the pages: the public 'which matter most' question, adopting an indicator, importing
benchmark files (good and bad), the appraisal forms, a councillor's comment, and a finding citing them."""

import pytest
from sqlalchemy import func, select

from app.models.compare import AppraisalDecision, BenchmarkRow, Indicator, IndicatorStatus
from app.models.finding import Finding
from app.models.user import Role
from app.services import reviews
from app.services.reviews import team as review_team
from tests import factories
from tests.forms import submit_form
from tests.helpers import page

GOOD = (
    "indicator,council,period,value,unit,source,date\n"
    "Visits on time,{ours},2025-26,71.5,%,Council records,2026-04-30\n"
    "Visits on time,Hillside Council,2025-26,88,%,LG Inform,2026-05-01\n"
)


@pytest.fixture
def officer(db):
    account = factories.user(db, Role.OFFICER, email="officer@example.org")
    db.flush()
    return account


@pytest.fixture
def review(db, officer):
    review = reviews.create_review(db, title="Home care review", service="Home care")
    review.is_public = True
    db.flush()
    return review


@pytest.fixture
def signed_in(client, officer):
    client.sign_in("officer@example.org", factories.PASSWORD)
    return client


def test_residents_choose_and_suggest_then_officer_adopts(client, db, review, officer):
    url = f"/reviews/{review.id}/indicators"
    response = submit_form(client, url, url, {"Something that should be measured": "Visits on time",
                                              "I care for someone who uses it": True})
    assert response.status_code == 303
    response = submit_form(client, url, url, {"Your first choice": "Visits on time",
                                              "I work for the service": True})
    assert response.status_code == 303
    refused = submit_form(client, url, url, {})
    assert refused.status_code == 422 and "Choose what matters most to you" in refused.text
    indicator = db.scalars(select(Indicator)).one()

    client.sign_in("officer@example.org", factories.PASSWORD)
    listing = page(client.get(f"/officer/reviews/{review.id}/indicators"))
    row = listing.find("th", string=None).find_parent("table").find("tbody").find("tr")
    assert [td.get_text() for td in row.find_all("td")][:7] == ["0", "1", "1", "0", "0", "2", "1"]
    action = f"/officer/indicators/{indicator.id}/adopt"
    bad = submit_form(client, f"/officer/reviews/{review.id}/indicators", action,
                      {"Definition of “Visits on time”": "", "Source of the figures": ""})
    assert bad.status_code == 422 and "Say where the figures come from" in bad.text
    response = submit_form(client, f"/officer/reviews/{review.id}/indicators", action, {
        "Definition of “Visits on time”": "Visits starting within 15 minutes of the planned time",
        "Source of the figures": "Rota system", "Who asked for it": "Carers and staff"})
    assert response.status_code == 303
    db.refresh(indicator)
    assert indicator.status == IndicatorStatus.ADOPTED and indicator.asked_by == "Carers and staff"
    public = client.get(f"/reviews/{review.id}").text
    assert "Visits starting within 15 minutes" in public and "Carers and staff" in public


def test_benchmark_import_good_and_bad_files(signed_in, db, review, app):
    ours = app.state.settings.council_name
    url = f"/officer/reviews/{review.id}/benchmarks"
    bad = GOOD.format(ours=ours) + "Visits on time,Dale,2025-26,n/a,%,LG Inform,2026-05-01\n"
    response = signed_in.submit(url, files={"file": ("peers.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    assert "Line 4: value “n/a” is not a number" in response.text and "Nothing was imported" in response.text
    assert db.scalar(select(func.count(BenchmarkRow.id))) == 0
    assert signed_in.submit(url, {}).status_code == 422

    response = signed_in.submit(url, files={"file": ("peers.csv", GOOD.format(ours=ours).encode(), "text/csv")})
    assert response.status_code == 303
    html = page(signed_in.get(response.headers["location"]))
    assert "Imported 2 figures." in html.get_text()
    assert html.find("svg", attrs={"role": "img"}) is not None
    assert "2nd highest of 2 councils" in html.get_text() and html.find("table") is not None
    assert "Hillside Council" not in signed_in.get(f"/reviews/{review.id}").text  # not published yet
    record_id = db.scalars(select(BenchmarkRow.import_id)).first()
    assert signed_in.submit(f"/officer/benchmark-imports/{record_id}/publish").status_code == 303
    public = page(signed_in.get(f"/reviews/{review.id}"))
    assert "Hillside Council" in public.get_text() and public.find("svg", attrs={"role": "img"}) is not None


def test_appraisal_forms_scrutiny_and_a_finding_citing_a_score(signed_in, client, db, review, officer, app):
    ours = app.state.settings.council_name
    signed_in.submit(f"/officer/reviews/{review.id}/benchmarks",
                     files={"file": ("peers.csv", GOOD.format(ours=ours).encode(), "text/csv")})
    base = f"/officer/reviews/{review.id}/appraisal"
    for name in ("In-house improvement", "Community-led"):
        response = submit_form(signed_in, base, f"{base}/options", {"Name of the option": name})
        assert response.status_code == 303
    response = submit_form(signed_in, base, f"{base}/criteria", {"Name of the criterion": "Local jobs",
                           "Kind of criterion": "social_value", "Weight (1 to 100)": "150"})
    assert response.status_code == 422 and "whole number from 1 to 100" in response.text
    response = submit_form(signed_in, base, f"{base}/criteria", {
        "Name of the criterion": "Local jobs", "Kind of criterion": "social_value", "Weight (1 to 100)": "60"})
    assert response.status_code == 303
    row = db.scalars(select(BenchmarkRow).order_by(BenchmarkRow.id)).first()
    missing = submit_form(signed_in, base, f"{base}/scores", {
        "Option to score": "In-house improvement", "Criterion to score it on": "Local jobs (weight 60)",
        "Score from 0 (worst) to 5 (best)": "4", "Why it scores this": "Keeps 40 local jobs"})
    assert missing.status_code == 422 and "Choose the evidence this score rests on" in missing.text
    response = submit_form(signed_in, base, f"{base}/scores", {
        "Option to score": "In-house improvement", "Criterion to score it on": "Local jobs (weight 60)",
        "Score from 0 (worst) to 5 (best)": "4", "Why it scores this": "Keeps 40 local jobs",
        "Evidence this score rests on": f"benchmark_row:{row.id}"})
    assert response.status_code == 303
    html = page(signed_in.get(base))
    assert "Sensitivity" in html.get_text() and "Keeps 40 local jobs" in html.get_text()

    councillor = factories.user(db, Role.COUNCILLOR, email="cllr@example.org")
    review_team.add_member(db, review_id=review.id, email=councillor.email, role="scrutiny", officer=officer)
    db.flush()
    signed_in.cookies.clear()
    signed_in.sign_in("cllr@example.org", factories.PASSWORD)
    assert "Scrutiny's view" in page(signed_in.get(base)).get_text()
    assert submit_form(signed_in, base, f"{base}/comments", {"Scrutiny's view": "Weigh cost too."}
                       ).status_code == 303
    assert signed_in.submit(f"{base}/decision", {"decision_option": "1", "reason": "x"}).status_code == 403
    assert "Weigh cost too." in signed_in.get(base).text

    signed_in.cookies.clear()
    signed_in.sign_in("officer@example.org", factories.PASSWORD)
    option = html.find("select", attrs={"name": "option_id"}).find("option", string="In-house improvement")["value"]
    assert submit_form(signed_in, base, f"{base}/decision", {
        "The option chosen": option, "Why it was chosen": "Best social value; scrutiny's point on cost is met"}
    ).status_code == 303
    assert db.scalar(select(AppraisalDecision.reason)).startswith("Best social value")

    score_value = page(signed_in.get(f"/officer/reviews/{review.id}")).find(
        "label", string=lambda s: s and s.startswith("Appraisal: In-house improvement"))
    assert score_value is not None
    value = signed_in.get(f"/officer/reviews/{review.id}")
    evidence = page(value).find("input", attrs={"id": score_value["for"]})["value"]
    response = signed_in.submit(f"/officer/reviews/{review.id}/findings", [
        ("stage", "compete"), ("statement", "In-house scores best on social value."), ("evidence", evidence)])
    assert response.status_code == 303
    finding = db.scalars(select(Finding)).one()
    assert "In-house improvement on Local jobs" in signed_in.get(f"/officer/findings/{finding.id}").text


def test_a_cited_benchmark_figure_that_changes_is_flagged_on_the_finding(signed_in, db, review, app):
    ours = app.state.settings.council_name
    signed_in.submit(f"/officer/reviews/{review.id}/benchmarks",
                     files={"file": ("peers.csv", GOOD.format(ours=ours).encode(), "text/csv")})
    row = db.scalars(select(BenchmarkRow).where(BenchmarkRow.is_this_council)).one()
    response = signed_in.submit(f"/officer/reviews/{review.id}/findings", [
        ("stage", "compare"), ("statement", "Visits run late more often here."),
        ("evidence", f"benchmark_row:{row.id}")])
    assert response.status_code == 303
    url = response.headers["location"]
    assert "Changed since" not in signed_in.get(url).text
    row.value = 90.0  # a corrected figure
    db.flush()
    text = page(signed_in.get(url)).get_text()
    assert "Changed since this finding was written" in text and "value: 71.5" in text
