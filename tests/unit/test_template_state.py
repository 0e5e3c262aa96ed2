"""State questions live on the models (`petition.is_open`, `review.is_concluded`, `run.in_progress`):
templates ask them and never compare a state, status or role, or any enum's value, to a string."""

import re

import pytest

from app.models.analysis import AnalysisRun, RunStatus
from app.models.petition import Petition, PetitionState
from app.models.review import Review, ReviewStatus
from app.models.user import Role, User
from app.templating import TEMPLATE_DIR

LITERAL = r"""\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*[(\[]?\s*["']"""
FORBIDDEN = [
    re.compile(r"\.(?:state|status|role|stage|visibility|audience|moderation|mode)(?:\.value)?" + LITERAL),
    re.compile(r"\.value" + LITERAL),  # any enum's value against a string
]


def comparisons(source: str) -> list[str]:
    found = []
    for tag in re.findall(r"{[{%].*?[}%]}", source, flags=re.S):
        if any(pattern.search(tag) for pattern in FORBIDDEN):
            found.append(tag)
    return found


def test_no_template_compares_a_state_to_a_string():
    offending = {}
    for path in sorted(TEMPLATE_DIR.rglob("*.html")) + sorted(TEMPLATE_DIR.rglob("*.txt")):
        found = comparisons(path.read_text())
        if found:
            offending[path.relative_to(TEMPLATE_DIR).as_posix()] = found
    assert not offending, "ask the model (e.g. petition.is_open), not the string: " + repr(offending)


@pytest.mark.parametrize(
    "tag",
    [
        '{% if petition.state.value == "open" %}',
        "{% if review.status.value != 'concluded' %}",
        '{% if user.role == "admin" %}',
        '{% if run.status.value in ("queued", "running") %}',
        '{{ "x" if bucket.value == "other_language" }}',
        '{% if petition.state not in ["open"] %}',
    ],
)
def test_the_check_catches_each_form_of_comparison(tag):
    assert comparisons(f"<p>{tag}yes{{% endif %}}</p>")


def test_the_check_lets_state_questions_and_form_values_through():
    assert not comparisons(
        "{% if petition.is_open and values.stage == stage.value %}{{ post.status.value }}"
        '{% endif %}{% if kind == "response" %}{% endif %}'
    )


def test_state_questions_answer_as_the_states_say():
    assert Petition(state=PetitionState.OPEN).is_open and Petition(state=PetitionState.OPEN).is_published
    assert not Petition(state=PetitionState.SPONSORED).is_public
    assert Petition(state=PetitionState.SPONSORED).can_be_rejected
    assert not Petition(state=PetitionState.CLOSED).can_be_rejected
    assert Review(status=ReviewStatus.CONCLUDED).is_concluded
    assert not Review(status=ReviewStatus.IN_PROGRESS).is_concluded
    assert (
        AnalysisRun(status=RunStatus.QUEUED).in_progress and AnalysisRun(status=RunStatus.RUNNING).in_progress
    )
    assert not AnalysisRun(status=RunStatus.SUCCEEDED).in_progress
    assert User(role=Role.ADMIN).is_admin and not User(role=Role.OFFICER).is_admin
    assert User(role=Role.COUNCILLOR).is_councillor and User(role=Role.RESIDENT).is_resident
