"""Issue 24: indicators chosen with users and staff, benchmark CSV import, the options appraisal, and
findings citing them as live evidence; on both databases."""

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, InvalidInput
from app.models.compare import BenchmarkImport, BenchmarkRow, IndicatorStatus, ProposerType
from app.models.finding import EvidenceKind
from app.models.user import Role
from app.services import reviews
from app.services.reviews import appraisal, benchmarks, findings, indicators
from tests import factories

COUNCIL = "Riverside Borough Council"
GOOD = (
    b"indicator,council,period,value,unit,source,date\n"
    b"Visits on time,Riverside Borough Council,2025-26,71.5,%,Council records,2026-04-30\n"
    b"Visits on time,Hillside Council,2025-26,88,%,LG Inform,2026-05-01\n"
    b"Visits on time,Dale District,2025-26,79.25,%,LG Inform,2026-05-01\n"
)


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER)


@pytest.fixture
def review(db):
    return reviews.create_review(db, title="Home care review", service="Home care")


def test_proposals_counted_by_who_proposed_and_supported(db, review, officer):
    visits = indicators.propose(
        db, review, name="Visits on time", reason="Late visits", proposed_by_type="carer"
    )
    same_carer = indicators.propose(
        db, review, name="Same carer each week", reason="", proposed_by_type="service_user"
    )
    indicators.support(db, review, [visits.id, same_carer.id], "staff")
    indicators.support(db, review, [visits.id], "organisation")
    db.flush()
    listed = indicators.proposals(db, review.id)
    assert [p.indicator.name for p in listed] == ["Visits on time", "Same carer each week"]
    assert listed[0].support == {
        ProposerType.SERVICE_USER: 0,
        ProposerType.CARER: 1,
        ProposerType.STAFF: 1,
        ProposerType.ORGANISATION: 1,
        ProposerType.RESIDENT: 0,
    }
    assert listed[0].total == 3 and listed[1].total == 2
    assert listed[0].first_choices == 2 and listed[1].first_choices == 0  # staff ranked visits first


def test_public_answer_ranks_up_to_three_and_suggests(db, review):
    a, b, c, d = (indicators.propose(db, review, name=n, reason="", proposed_by_type="staff") for n in "abcd")
    assert indicators.answer(db, review, indicator_ids=[c.id, a.id], suggestion="Same carer each week",
                             reason="Trust", supporter_type="service_user") == 3
    db.flush()
    by_name = {p.indicator.name: p for p in indicators.proposals(db, review.id)}
    assert by_name["c"].first_choices == 1 and by_name["a"].first_choices == 0
    assert by_name["Same carer each week"].support[ProposerType.SERVICE_USER] == 1
    for ids, message in (([a.id, a.id], "Choose each indicator once"),
                         ([a.id, b.id, c.id, d.id], "Choose up to 3 indicators"),
                         ([], "Choose what matters most to you")):
        with pytest.raises(InvalidInput) as error:
            indicators.answer(db, review, indicator_ids=ids, suggestion="", reason="", supporter_type="carer")
        assert error.value.errors["indicators"].startswith(message)
    with pytest.raises(InvalidInput) as error:
        indicators.answer(db, review, indicator_ids=[a.id], suggestion="", reason="", supporter_type="")
    assert set(error.value.errors) == {"supporter_type"}


def test_proposal_and_support_refuse_bad_input(db, review):
    with pytest.raises(InvalidInput) as error:
        indicators.propose(db, review, name=" ", reason="", proposed_by_type="martian")
    assert set(error.value.errors) == {"name", "proposed_by_type"}
    one = indicators.propose(db, review, name="A", reason="", proposed_by_type="staff")
    with pytest.raises(InvalidInput):
        indicators.support(db, review, [], "staff")
    with pytest.raises(InvalidInput):
        indicators.support(db, review, [one.id, 999_999], "staff")
    with pytest.raises(Forbidden):  # scrutiny scrutinises; it does not propose
        indicators.propose(db, review, name="B", reason="", proposed_by_type="staff",
                           user=factories.user(db, Role.COUNCILLOR))
    other = reviews.create_review(db, title="Other", service="Libraries")
    with pytest.raises(InvalidInput):
        indicators.support(db, other, [one.id], "staff")


def test_officer_adopts_with_definition_source_and_who_asked(db, review, officer):
    proposal = indicators.propose(db, review, name="Visits on time", reason="", proposed_by_type="carer")
    with pytest.raises(InvalidInput) as error:
        indicators.adopt(db, proposal, definition="", source="", asked_by="", officer=officer)
    assert set(error.value.errors) == {"definition", "source", "asked_by"}
    with pytest.raises(Forbidden):
        indicators.adopt(
            db, proposal, definition="d", source="s", asked_by="a", officer=factories.user(db, Role.ORGANISER)
        )
    indicators.adopt(
        db,
        proposal,
        definition="Share of visits within 15 minutes",
        source="Rota system",
        asked_by="Carers' forum, March",
        officer=officer,
    )
    assert proposal.status == IndicatorStatus.ADOPTED and proposal.adopted_by_id == officer.id
    assert indicators.adopted(db, review.id) == [proposal]


def test_benchmark_import_comparison_and_position(db, review, officer):
    record = benchmarks.import_csv(
        db, review, GOOD, filename="peers.csv", council_name=COUNCIL, officer=officer
    )
    assert record.row_count == 3
    [comparison] = benchmarks.comparisons(db, review.id)
    assert [r.council for r in comparison.rows] == ["Hillside Council", "Dale District", COUNCIL]
    assert comparison.position == "3rd highest of 3 councils (median 79.25 %)."
    assert [s[0] for s in comparison.sources] == ["Council records", "LG Inform"]
    assert benchmarks.public_comparisons(db, review.id) == []
    benchmarks.publish(db, officer, record.id)
    assert len(benchmarks.public_comparisons(db, review.id)) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "The file is empty"),
        (b"indicator,council,value\nx,y,1\n", "Line 1: the header must name the columns"),
        (b"\xff\xfe bad", "saved as UTF-8"),
        (b"indicator,council,period,value,unit,source,date\n", "no figures"),
        (b"x" * 1_000_001, "1 MB or smaller"),
        (b"indicator,council,period,value,unit,source,date\nV," + b"c" * 201 + b",2025,1,%,S,2026-01-01\n",
         "Nothing was imported: 1 line"),
    ],
)
def test_bad_files_are_refused_whole(db, review, officer, body, expected):
    with pytest.raises(benchmarks.BenchmarkFileError) as error:
        benchmarks.import_csv(db, review, body, filename="bad.csv", council_name=COUNCIL, officer=officer)
    assert expected in error.value.message
    assert db.scalar(select(func.count(BenchmarkImport.id))) == 0


def test_bad_rows_name_their_lines_and_nothing_is_imported(db, review, officer):
    body = GOOD + (
        b"Visits on time,Vale Council,2025-26,lots,%,LG Inform,2026-05-01\n"
        b"\n"
        b"Visits on time,,2025-26,80,%,LG Inform,31/05/2026\n"
    )
    with pytest.raises(benchmarks.BenchmarkFileError) as error:
        benchmarks.import_csv(db, review, body, filename="bad.csv", council_name=COUNCIL, officer=officer)
    assert error.value.lines == [
        "Line 5: value “lots” is not a number",
        "Line 7: council is empty; date “31/05/2026” is not a date like 2026-03-31",
    ]
    assert "2 lines" in error.value.message
    assert db.scalar(select(func.count(BenchmarkRow.id))) == 0


def _appraisal(db, review, officer):
    proposal = indicators.propose(db, review, name="Visits on time", reason="", proposed_by_type="carer")
    indicators.adopt(
        db, proposal, definition="Within 15 minutes", source="Rota", asked_by="Carers", officer=officer
    )
    benchmarks.import_csv(db, review, GOOD, filename="peers.csv", council_name=COUNCIL, officer=officer)
    in_house = appraisal.add_option(db, review, name="In-house improvement", description="", officer=officer)
    external = appraisal.add_option(db, review, name="External provider", description="", officer=officer)
    social = appraisal.add_criterion(
        db, review, name="Social value", kind="social_value", weight="60", officer=officer
    )
    cost = appraisal.add_criterion(db, review, name="Cost", kind="cost", weight="40", officer=officer)
    row = db.scalars(select(BenchmarkRow).order_by(BenchmarkRow.id)).first()
    for option, criterion, value in (
        (in_house, social, "4"),
        (in_house, cost, "2"),
        (external, social, "2"),
        (external, cost, "5"),
    ):
        appraisal.score(
            db,
            review,
            option_id=str(option.id),
            criterion_id=str(criterion.id),
            value=value,
            rationale="Because",
            evidence_ref=f"benchmark_row:{row.id}",
            officer=officer,
        )
    return proposal, row, in_house, external, social, cost


def test_weighted_result_and_sensitivity(db, review, officer):
    _, _, _in_house, _external, _social, _cost = _appraisal(db, review, officer)
    outcome = appraisal.result(db, review.id)
    # in-house (0.6*4 + 0.4*2 = 3.2) against external (0.6*2 + 0.4*5 = 3.2): a tie broken by order
    assert [(r.option.name, r.total) for r in outcome.ranking] == [
        ("In-house improvement", 3.2),
        ("External provider", 3.2),
    ]
    assert outcome.complete
    # Any weight moving by 20% breaks the tie one way or the other: the ranking is not robust
    by_criterion = {s.criterion.name: s for s in outcome.sensitivity}
    assert by_criterion["Social value"].up == ["In-house improvement", "External provider"]
    assert by_criterion["Cost"].up == ["External provider", "In-house improvement"]
    assert by_criterion["Cost"].changes and not outcome.robust


def test_score_must_cite_evidence_of_this_review(db, review, officer):
    _, _, in_house, _, social, _ = _appraisal(db, review, officer)
    with pytest.raises(InvalidInput) as error:
        appraisal.score(
            db,
            review,
            option_id=str(in_house.id),
            criterion_id=str(social.id),
            value="9",
            rationale="",
            evidence_ref="theme:1",
            officer=officer,
        )
    assert set(error.value.errors) == {"score", "rationale", "evidence"}


def test_scrutiny_comments_and_decision(db, review, officer):
    _, _, in_house, _, _, _ = _appraisal(db, review, officer)
    councillor = factories.user(db, Role.COUNCILLOR)
    from app.services.reviews import team as review_team

    review_team.add_member(db, review_id=review.id, email=councillor.email, role="scrutiny", officer=officer)
    note = appraisal.comment(db, review, councillor, "Weigh social value more.")
    assert note.is_scrutiny
    with pytest.raises(Forbidden):
        appraisal.decide(db, review, option_id=str(in_house.id), reason="x", officer=councillor)
    with pytest.raises(InvalidInput):
        appraisal.decide(db, review, option_id="", reason="", officer=officer)
    record = appraisal.decide(
        db, review, option_id=str(in_house.id), reason="Best social value", officer=officer
    )
    assert appraisal.decision(db, review.id).option.name == "In-house improvement"
    assert record.results["ranking"][0][0] == "In-house improvement"
    with pytest.raises(Conflict):
        appraisal.decide(db, review, option_id=str(in_house.id), reason="again", officer=officer)


def test_findings_cite_indicators_benchmarks_and_scores_live(db, review, officer):
    proposal, row, in_house, _, social, _ = _appraisal(db, review, officer)
    score = appraisal.scores(db, review.id)[0]
    finding = findings.write_finding(
        db,
        review_id=review.id,
        stage="compete",
        statement="In-house wins.",
        evidence_refs=[
            (EvidenceKind.INDICATOR, proposal.id),
            (EvidenceKind.BENCHMARK_ROW, row.id),
            (EvidenceKind.APPRAISAL_SCORE, score.id),
        ],
        officer=officer,
    )
    db.flush()
    items = findings.evidence_items(db, finding)
    assert [i.changed for i in items] == [False, False, False]
    indicators.support(db, review, [proposal.id], "staff")
    row.value = 75.0
    appraisal.score(
        db,
        review,
        option_id=str(in_house.id),
        criterion_id=str(social.id),
        value="3",
        rationale="Revised",
        evidence_ref=f"indicator:{proposal.id}",
        officer=officer,
    )
    db.flush()
    assert [i.changed for i in findings.evidence_items(db, finding)] == [True, True, True]
    values = {o.value for _, opts in appraisal.citable(db, review.id) for o in opts}
    assert f"indicator:{proposal.id}" in values and not any(v.startswith("appraisal_score:") for v in values)
