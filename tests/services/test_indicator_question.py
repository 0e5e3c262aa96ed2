"""Issue 24, decision 0103: "Which of these matter most to you?" as a consultation question type whose
answers count as support for the review's indicators, split by who answered; and indicators proposed
from a review's forum, counted as the member's organisation type. On both databases."""

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.compare import Indicator, IndicatorSupport, ProposerType
from app.models.consultation import QuestionKind
from app.models.finding import EvidenceKind
from app.models.forum import ForumVisibility
from app.models.organisation import OrganisationType
from app.models.review import ReviewStatus
from app.models.user import Role, User
from app.services import consultations as service
from app.services import forums, reviews
from app.services.consultations import answering, building, channels, exports, rules
from app.services.reviews import evidence, indicators, workspace
from tests import factories


@pytest.fixture
def review(db):
    made = reviews.create_review(db, title="Home care review", service="Home care")
    for name, kind in (
        ("Visits on time", "carer"),
        ("Same carer each week", "service_user"),
        ("Calls answered", "staff"),
        ("Complaints resolved", "organisation"),
    ):
        indicators.propose(db, made, name=name, reason="", proposed_by_type=kind)
    db.flush()
    return made


def _consultation(db, review, *, required=False):
    made = service.create_consultation(
        db,
        review_id=review.id,
        title="What should we measure?",
        summary="Home care.",
        about_you_enabled=False,
    )
    question = building.add_question(
        db,
        made,
        building.QuestionInput(
            kind=QuestionKind.INDICATORS.value,
            text="Which of these matter most to you?",
            required=required,
            options="typed options are ignored",
        ),
    )
    service.open_consultation(db, made)
    db.flush()
    return made, question


def _answer(db, made, question, value, *, respondent_type="service_user", key):
    form = answering.load_form(db, made.id)
    submission = answering.Submission(respondent_type=respondent_type, answers={str(question.id): value})
    return answering.record_response(db, form, submission, key)


def _by_name(db, review):
    return {p.indicator.name: p for p in indicators.proposals(db, review.id)}


def test_the_question_offers_the_reviews_indicators_and_answers_count_by_group(db, review):
    made, question = _consultation(db, review)
    assert question.options == [
        "Visits on time",
        "Same carer each week",
        "Calls answered",
        "Complaints resolved",
    ]
    _answer(db, made, question, ["Calls answered", "Visits on time", "Longer visits"], key="a")
    _answer(db, made, question, ["Calls answered"], respondent_type="carer", key="b")
    _answer(db, made, question, ["Longer visits"], respondent_type="resident", key="c")  # same suggestion
    _answer(db, made, question, ["Visits on time"], respondent_type="other", key="d")
    _reference, created = _answer(db, made, question, ["Calls answered"], key="a")  # a retry: not again
    assert not created
    db.flush()
    listed = _by_name(db, review)
    calls = listed["Calls answered"]
    assert calls.support[ProposerType.SERVICE_USER] == 1 and calls.support[ProposerType.CARER] == 1
    assert calls.support[ProposerType.STAFF] == 1 and calls.total == 3 and calls.first_choices == 2
    assert listed["Visits on time"].support[ProposerType.RESIDENT] == 1  # 'other' counts as other residents
    suggested = listed["Longer visits"]
    assert suggested.indicator.consultation_id == made.id and suggested.indicator.proposed_by_id is None
    assert suggested.indicator.proposed_by_type == ProposerType.SERVICE_USER
    assert suggested.support[ProposerType.SERVICE_USER] == 1 and suggested.support[ProposerType.RESIDENT] == 1
    assert suggested.total == 2
    assert db.scalar(select(Indicator).where(Indicator.name == "Longer visits")) is suggested.indicator


def test_answers_are_checked_and_stored_in_one_shape(db, review):
    made, question = _consultation(db, review, required=True)
    spec = answering.load_form(db, made.id).questions[0]
    checks = [
        ([], "Choose what matters most to you, or suggest something to measure"),
        (["Calls answered", "Calls answered"], "Choose each indicator once"),
        (
            ["Calls answered", "Visits on time", "Same carer each week", "Complaints resolved"],
            "Choose up to 3 indicators",
        ),
        (["One idea", "Another idea"], "Suggest one thing to measure"),
        (["x" * 201], "Your suggestion must be 200 characters or fewer"),
    ]
    for value, message in checks:
        assert rules.validate_answer(spec, value)[1] == message
    clean, error = rules.validate_answer(spec, ["Longer visits ", "Calls answered"])
    assert error is None and clean == ["Calls answered", "Longer visits"]  # ranked first, suggestion last
    rows = rules.answer_rows([spec], {str(spec.id): clean})
    assert [(r.value_text, r.option_index, r.number) for r in rows] == [
        ("Calls answered", 2, 1),
        ("Longer visits", None, None),
    ]
    assert rules.display_value(spec, clean) == "1. Calls answered\nSuggested: Longer visits"
    # The form: first, second, third choice by option index, and a suggestion.
    assert rules.indicators_from_form(spec.options, ["", "2", "0"], "Tea") == (
        ["Calls answered", "Visits on time", "Tea"],
        None,
    )
    assert rules.indicators_from_form(spec.options, ["2", "2", ""], "")[1] == "Choose each indicator once"
    assert rules.indicators_from_form(spec.options, ["9", "", ""], "")[1] == "Choose indicators from the list"
    assert rules.indicators_from_form(spec.options, ["", "", ""], "calls ANSWERED")[1].startswith(
        "“calls ANSWERED” is already in the list"
    )
    with pytest.raises(InvalidInput) as error:
        _answer(db, made, question, ["Calls answered"] * 2, key="bad")
    assert error.value.errors == {question.field: "Choose each indicator once"}
    assert not db.scalars(select(IndicatorSupport).where(IndicatorSupport.rank.is_not(None))).all()


def test_paper_csv_and_export_carry_the_suggestion(db, review):
    made, question = _consultation(db, review)
    officer = factories.user(db, Role.OFFICER)
    form = answering.load_form(db, made.id)
    content = (
        f"respondent_type,{question.text}\n"
        "staff,Calls answered; Night visits\n"
        "carer,Visits on time; Calls answered\n"
    ).encode()
    report = channels.import_csv(
        db, form, content, channel=channels.parse_channel("paper"), actor_id=officer.id
    )
    assert report.imported == 2 and not report.errors
    db.flush()
    listed = _by_name(db, review)
    assert listed["Night visits"].support[ProposerType.STAFF] == 1
    assert listed["Calls answered"].support == {
        **{k: 0 for k in ProposerType},
        ProposerType.STAFF: 2,
        ProposerType.CARER: 1,
    }
    text = "".join(exports.responses_csv(db, made.id, [question]))
    assert "Calls answered; Night visits" in text and "Visits on time; Calls answered" in text


def test_the_builder_refuses_it_without_a_review_and_refreshes_options(db, review):
    alone = service.create_consultation(db, review_id=None, title="Stand-alone", summary="")
    with pytest.raises(InvalidInput) as error:
        building.add_question(db, alone, building.QuestionInput(kind="indicators", text="Which matter?"))
    assert "asks about a review's indicators" in error.value.errors["kind"]
    made = service.create_consultation(db, review_id=review.id, title="Draft", summary="")
    question = building.add_question(db, made, building.QuestionInput(kind="indicators", text="Which?"))
    indicators.propose(db, review, name="Night visits", reason="", proposed_by_type="staff")
    building.update_question(db, made, question.id, building.QuestionInput(kind="indicators", text="Which?"))
    assert question.options[-1] == "Night visits"


def test_a_concluded_review_keeps_the_answer_but_counts_nothing(db, review):
    made, question = _consultation(db, review)
    review.status = ReviewStatus.CONCLUDED
    db.flush()
    reference, created = _answer(db, made, question, ["Calls answered", "Brand new idea"], key="late")
    assert created and reference
    assert "Brand new idea" not in _by_name(db, review)
    assert _by_name(db, review)["Calls answered"].total == 1  # only its proposer


# Forums ---------------------------------------------------------------------------------------


@pytest.fixture
def forum(db, review):
    union = factories.organisation(db, type=OrganisationType.TRADE_UNION)
    tenants = factories.organisation(db, type=OrganisationType.TENANTS)
    made = forums.create_forum(
        db,
        factories.user(db, Role.OFFICER),
        title="Home care forum",
        visibility=ForumVisibility.MEMBERS_ONLY,
        review_id=review.id,
        member_organisation_ids=[union.id, tenants.id],
    )
    db.flush()
    return made, union, tenants


def test_forum_members_propose_counted_as_their_organisation_type(db, review, forum):
    made, union, tenants = forum
    member = factories.user(db, Role.MEMBER, organisation_id=union.id)
    organiser = factories.user(db, Role.ORGANISER, organisation_id=tenants.id)
    officer = factories.user(db, Role.OFFICER)
    one = indicators.propose_from_forum(db, made.id, member, name="Travel time paid", reason="Rotas")
    two = indicators.propose_from_forum(db, made.id, organiser, name="Repairs on time", reason="")
    three = indicators.propose_from_forum(db, made.id, officer, name="Staff turnover", reason="")
    db.flush()
    assert (one.proposed_by_type, two.proposed_by_type, three.proposed_by_type) == (
        ProposerType.STAFF,
        ProposerType.ORGANISATION,
        ProposerType.STAFF,
    )
    assert one.forum_id == made.id and one.proposed_by_id == member.id
    listed = _by_name(db, review)
    assert listed["Travel time paid"].support[ProposerType.STAFF] == 1


def test_forum_proposals_refused_to_outsiders_councillors_and_closed_forums(db, review, forum):
    made, union, _tenants = forum
    outsider = factories.user(db, Role.ORGANISER)  # another organisation: cannot read the forum
    with pytest.raises(NotFound):
        indicators.propose_from_forum(db, made.id, outsider, name="X", reason="")
    councillor = factories.user(db, Role.COUNCILLOR)
    with pytest.raises((Forbidden, NotFound)):
        indicators.propose_from_forum(db, made.id, councillor, name="X", reason="")
    member = factories.user(db, Role.MEMBER, organisation_id=union.id)
    with pytest.raises(InvalidInput) as error:
        indicators.propose_from_forum(db, made.id, member, name=" ", reason="")
    assert set(error.value.errors) == {"name"}
    made.is_open = False
    with pytest.raises(Conflict):
        indicators.propose_from_forum(db, made.id, member, name="X", reason="")


def test_a_finding_can_cite_the_questions_figures(db, review):
    made, question = _consultation(db, review)
    _answer(db, made, question, ["Calls answered", "Visits on time", "My own idea"], key="a")
    _answer(db, made, question, ["Calls answered"], respondent_type="staff", key="b")
    db.flush()
    offered = {o.value for _group, options in workspace.evidence_options(db, review.id) for o in options}
    assert f"question:{question.id}" in offered
    view = evidence.current(db, EvidenceKind.QUESTION, question.id)
    assert view.figures == {"Calls answered": 2, "Visits on time": 1}  # the suggestion is no option


def test_a_resident_replying_in_a_public_forum_proposes_as_a_resident(db, review):
    officer = factories.user(db, Role.OFFICER)
    public = forums.create_forum(
        db, officer, title="Home care: open forum", visibility=ForumVisibility.PUBLIC, review_id=review.id
    )
    rhian = User(email="rhian@example.org", display_name="Rhian", password_hash="", role=Role.RESIDENT)
    db.add(rhian)
    db.flush()
    proposed = indicators.propose_from_forum(db, public.id, rhian, name="Same carer at weekends", reason="")
    assert proposed.proposed_by_type == ProposerType.RESIDENT and proposed.proposed_by_id == rhian.id
