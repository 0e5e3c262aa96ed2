"""Pure answer rules: every question kind, conditions, ranking input, storage rows, CSV safety."""

from dataclasses import dataclass, field

import pytest

from app.csv_export import safe_cell
from app.services.consultations import rules
from app.services.consultations.results import ranking_scores


@dataclass
class Q:
    id: int
    kind: str
    required: bool = False
    options: list = field(default_factory=list)
    limit: int = 20
    page: int = 1
    questionnaire_id: int | None = None
    show_if_question_id: int | None = None
    show_if_value: str = ""

    @property
    def field(self):
        return f"q{self.id}"


CHOICES = ["Yes", "No", "Not sure"]


class TestValidateAnswer:
    @pytest.mark.parametrize(("question", "value", "expected", "error"), [
        (Q(1, "short_text"), "  hello\x00 ", "hello", None),
        (Q(1, "short_text"), "x" * 21, "x" * 21, "20 characters or fewer"),
        (Q(1, "long_text"), "line one\r\nline two", "line one\nline two", None),
        (Q(1, "long_text"), ["not", "text"], "", "as text"),
        (Q(1, "single_choice", options=CHOICES), "No", "No", None),
        (Q(1, "single_choice", options=CHOICES), "Maybe", "Maybe", "Choose one"),
        (Q(1, "multiple_choice", options=CHOICES), ["Not sure", "Yes"], ["Yes", "Not sure"], None),
        (Q(1, "multiple_choice", options=CHOICES), ["Yes", "Other"], ["Yes", "Other"], "Choose from"),
        (Q(1, "rating", options=CHOICES), "3", "3", None),
        (Q(1, "rating", options=CHOICES), "4", "4", "point on the scale"),
        (Q(1, "rating", options=CHOICES), "-1", "-1", "point on the scale"),
        (Q(1, "ranking", options=CHOICES), ["No", "Yes"], ["No", "Yes"], None),
        (Q(1, "ranking", options=CHOICES, required=True), ["No", "Yes"], ["No", "Yes"], "Rank every"),
        (Q(1, "ranking", options=CHOICES), ["No", "No"], ["No", "No"], "different rank"),
    ])
    def test_each_kind(self, question, value, expected, error):
        clean, message = rules.validate_answer(question, value)
        assert clean == expected
        assert (message is None) if error is None else (error in message)

    @pytest.mark.parametrize("kind", ["short_text", "long_text", "single_choice", "multiple_choice",
                                      "rating", "ranking"])
    def test_required_and_blank(self, kind):
        _clean, message = rules.validate_answer(Q(1, kind, required=True, options=CHOICES), "")
        assert message
        assert rules.validate_answer(Q(1, kind, options=CHOICES), "")[1] is None


class TestConditions:
    def test_hidden_question_answers_are_dropped(self):
        keep = Q(1, "single_choice", required=True, options=CHOICES)
        why = Q(2, "short_text", required=True, show_if_question_id=1, show_if_value="Not sure")
        clean, errors = rules.validate_all([keep, why], {"1": "Yes", "2": "ignored"})
        assert clean == {"1": "Yes"} and errors == {}
        clean, errors = rules.validate_all([keep, why], {"1": "Not sure"})
        assert errors == {"q2": "Enter your answer"}

    def test_condition_on_multiple_choice_means_includes(self):
        why = Q(2, "short_text", show_if_question_id=1, show_if_value="No")
        assert rules.is_visible(why, {"1": ["Yes", "No"]})
        assert not rules.is_visible(why, {"1": ["Yes"]})


class TestRankingInput:
    def test_positions_to_ranked_list(self):
        assert rules.ranking_from_positions(CHOICES, {0: "2", 1: "", 2: "1"}) == (["Not sure", "Yes"], None)

    @pytest.mark.parametrize("positions", [{0: "1", 1: "1"}, {0: "1", 1: "3"}, {0: "x"}, {0: "9"}])
    def test_bad_positions(self, positions):
        assert rules.ranking_from_positions(CHOICES, positions)[1]


class TestAnswerRows:
    def test_rows_per_kind(self):
        questions = [Q(1, "long_text"), Q(2, "multiple_choice", options=CHOICES),
                     Q(3, "rating", options=CHOICES), Q(4, "ranking", options=CHOICES)]
        rows = rules.answer_rows(questions, {"1": "words", "2": ["Yes", "Not sure"], "3": "2",
                                             "4": ["No", "Yes"]})
        assert rows == [rules.AnswerRow(1, "words"), rules.AnswerRow(2, "Yes", 0), rules.AnswerRow(2, "Not sure", 2),
                        rules.AnswerRow(3, "No", 1, 2), rules.AnswerRow(4, "No", 1, 1),
                        rules.AnswerRow(4, "Yes", 0, 2)]


def test_ranking_scores_borda_and_mean_rank():
    cells = [(0, 1, 3), (1, 2, 3), (1, 1, 1), (0, 2, 1)]  # A first three times, B first once
    best, second, third = ranking_scores(["A", "B", "C"], cells)
    assert (best.label, best.borda, best.mean_rank, best.first_choices) == ("A", 7, 1.25, 3)
    assert (second.label, second.borda) == ("B", 5)
    assert third.label == "C" and third.borda == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("fine", "fine"), (None, ""),
])
def test_csv_cells_are_safe(value, expected):
    assert safe_cell(value) == expected


def test_references_are_readable_and_distinct():
    references = {rules.new_reference() for _ in range(200)}
    assert len(references) == 200
    assert all(r.startswith("RBC-") and len(r) == 13 for r in references)
