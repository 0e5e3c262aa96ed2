"""Pure rules for answers: which questions show, what is a valid answer, how it is stored.

Answers travel in one canonical shape everywhere (web form, draft, officer entry, CSV, API):
text, single choice and rating are a string; multiple choice is a list of option labels;
ranking is the list of option labels in the order ranked (first = most important); the indicators
question ("Which of these matter most to you?") is the list of up to three options in the order
ranked, followed by the person's own suggestion when they made one (any item that is not an option).
"""

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.i18n import _, current_locale
from app.models.consultation import QuestionKind, RespondentType
from app.services import equalities

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The harmonised equalities set, shared with citizens' panels: key -> answers (None: the wards).
EQUALITIES_FIELDS = {q.key: (equalities.options_for(q) or None) for q in equalities.QUESTIONS}


def new_reference() -> str:
    bits = secrets.randbits(40)  # one call: 8 characters of 5 bits each, uniform over the alphabet
    code = "".join(REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(0, 40, 5))
    return f"RBC-{code[:4]}-{code[4:]}"


def clean_text(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n")).strip()


def answer_present(value: Any) -> bool:
    return bool(value) if not isinstance(value, str) else bool(value.strip())


def is_visible(question, answers: Mapping[str, Any]) -> bool:
    """A question with a condition shows only when the earlier answer has (or includes) the value."""
    if question.show_if_question_id is None:
        return True
    earlier = answers.get(str(question.show_if_question_id))
    if isinstance(earlier, list):
        return question.show_if_value in earlier
    return earlier == question.show_if_value


def questionnaire_for(questionnaires: Iterable, respondent_type: str) -> int | None:
    for questionnaire in questionnaires:
        if respondent_type in (questionnaire.respondent_types or []):
            return questionnaire.id
    return None


def applicable(questions: Iterable, questionnaire_id: int | None) -> list:
    """Questions common to everyone plus those of the respondent's questionnaire."""
    return [q for q in questions if q.questionnaire_id is None or q.questionnaire_id == questionnaire_id]


def visible_questions(questions: Iterable, answers: Mapping[str, Any]) -> list:
    return [q for q in questions if is_visible(q, answers)]


def reveals_on_its_page(question, questions: Iterable) -> bool:
    """A follow-up asked on the same page as the question it depends on: shown under the chosen
    option as a GOV.UK conditional reveal (always shown without JavaScript), not on a later page."""
    if question.show_if_question_id is None:
        return False
    return any(q.id == question.show_if_question_id and q.page == question.page for q in questions)


def questions_on_page(questions: Iterable, answers: Mapping[str, Any], page: int) -> list:
    """The questions a page shows: those visible now, and same-page follow-ups of visible ones
    (their answers count only when the answer beside them on the page reveals them)."""
    questions = list(questions)
    shown = visible_questions(questions, answers)
    shown_ids = {q.id for q in shown}
    return [q for q in questions if q.page == page and (
        q.id in shown_ids or (reveals_on_its_page(q, questions) and q.show_if_question_id in shown_ids))]


EXCLUSIVE_OPTIONS = ("None of these", "None of the above", "None", "Don't know", "Prefer not to say")


def exclusive_option(question) -> str | None:
    """The option of a multiple-choice question that rules out the others ("None of these")."""
    if QuestionKind(question.kind) != QuestionKind.MULTIPLE_CHOICE or not question.options:
        return None
    last = question.options[-1]
    return last if last in EXCLUSIVE_OPTIONS else None


def pages(questions: Iterable, answers: Mapping[str, Any]) -> list[int]:
    return sorted({q.page for q in visible_questions(questions, answers)})


def validate_answer(question, value: Any) -> tuple[Any, str | None]:
    """The cleaned canonical value and an error message (or None)."""
    kind = QuestionKind(question.kind)
    if not answer_present(value):
        return ("" if kind in _SCALAR else []), (_required_message(question) if question.required else None)
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        return _validate_text(question, value)
    if kind == QuestionKind.SINGLE_CHOICE:
        value = str(value)
        return value, None if value in question.options else _("Choose one of the options")
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = _as_list(value)
        if any(item not in question.options for item in chosen):
            return chosen, _("Choose from the options given")
        alone = exclusive_option(question)
        if alone in chosen and len(set(chosen)) > 1:
            refused = _("Select “{alone}” on its own, or only the options that apply")
            return chosen, refused.format(alone=alone)
        return [o for o in question.options if o in chosen], None
    if kind == QuestionKind.RATING:
        value = str(value).strip()
        if not value.isdigit() or not 1 <= int(value) <= len(question.options):
            return value, _("Choose a point on the scale")
        return value, None
    if kind == QuestionKind.INDICATORS:
        if isinstance(value, dict):  # a form the person filled wrongly (see indicators_from_form)
            return value, str(value.get("error") or _("Choose indicators from the list"))
        return _validate_indicators(question, _as_list(value))
    return _validate_ranking(question, _as_list(value))


MAX_INDICATORS_RANKED = 3  # "choose up to three that matter most to you"
SUGGESTION_LIMIT = 200  # an indicator's name


def _validate_indicators(question, items: list[str]) -> tuple[list[str], str | None]:
    """Up to three of the options, most important first, and at most one suggestion of its own."""
    ranked = [item for item in items if item in question.options]
    others = [clean_text(item) for item in items if item not in question.options and clean_text(item)]
    if len(set(ranked)) != len(ranked):
        return items, _("Choose each indicator once")
    if len(ranked) > MAX_INDICATORS_RANKED:
        return items, _("Choose up to {limit} indicators").format(limit=MAX_INDICATORS_RANKED)
    if len(others) > 1:
        return items, _("Suggest one thing to measure")
    if others and len(others[0]) > SUGGESTION_LIMIT:
        return items, _("Your suggestion must be {limit} characters or fewer").format(limit=SUGGESTION_LIMIT)
    if not ranked and not others:
        return [], _required_message(question) if question.required else None
    return ranked + others, None


def indicators_from_form(options: list[str], choices: list[str],
                         suggestion: str) -> tuple[list[str], str | None]:
    """Form input: the option chosen (its index, or blank) for each place, first to third, and a
    suggestion, to the canonical list. Blank places are skipped, so a second choice alone counts
    as the first."""
    chosen: list[str] = []
    for choice in choices[:MAX_INDICATORS_RANKED]:
        if not choice:
            continue
        if not choice.isdigit() or not 0 <= int(choice) < len(options):
            return [], _("Choose indicators from the list")
        if options[int(choice)] in chosen:
            return [], _("Choose each indicator once")
        chosen.append(options[int(choice)])
    suggestion = clean_text(suggestion)
    if suggestion and suggestion.casefold() in {o.casefold() for o in options}:
        return [], f"“{suggestion}” is already in the list: choose it as one of your choices instead"
    return chosen + ([suggestion] if suggestion else []), None


def indicators_answer_from_form(question, get: Callable[[str], Any]) -> list[str] | dict:
    """A posted form's first, second and third choices (`q<id>-1` … `-3`, option indexes) and
    suggestion (`q<id>-suggestion`) as one answer; on a mistake, the error and what was typed."""
    def text(name: str) -> str:
        value = get(name)
        return value if isinstance(value, str) else ""

    choices = [text(f"{question.field}-{n}") for n in range(1, MAX_INDICATORS_RANKED + 1)]
    suggestion = text(f"{question.field}-suggestion")
    items, error = indicators_from_form(question.options, choices, suggestion)
    if error is None:
        return items
    return {"error": error, "positions": {"choices": choices, "suggestion": suggestion}}


def indicators_parts(question, value: Any) -> tuple[list[str], str]:
    """(ranked options, suggestion) of a canonical indicators answer."""
    items = _as_list(value) if answer_present(value) else []
    ranked = [i for i in items if i in question.options]
    return ranked, next((i for i in items if i not in question.options), "")


_SCALAR = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.SINGLE_CHOICE, QuestionKind.RATING)


def _required_message(question) -> str:
    kind = QuestionKind(question.kind)
    if kind.is_text:
        return _("Enter your answer")
    if kind == QuestionKind.RANKING:
        return _("Rank the options")
    if kind == QuestionKind.INDICATORS:
        return _("Choose what matters most to you, or suggest something to measure")
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return _("Choose at least one option")
    return _("Choose an answer")


def _validate_text(question, value: Any) -> tuple[str, str | None]:
    if not isinstance(value, str):
        return "", _("Enter your answer as text")
    text = clean_text(value)
    if len(text) > question.limit:
        return text, _("Your answer must be {limit} characters or fewer").format(limit=f"{question.limit:,}")
    return text, None


def _validate_ranking(question, ranked: list[str]) -> tuple[list[str], str | None]:
    if len(set(ranked)) != len(ranked):
        return ranked, _("Give each option a different rank")
    if any(item not in question.options for item in ranked):
        return ranked, _("Rank only the options given")
    if question.required and len(ranked) != len(question.options):
        return ranked, _("Rank every option")
    return ranked, None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def ranking_from_positions(options: list[str], positions: Mapping[int, str]) -> tuple[list[str], str | None]:
    """Form input: a chosen rank (1..n or blank) per option index, to the ranked list."""
    chosen: dict[int, str] = {}
    for index, rank in positions.items():
        if not rank:
            continue
        if not rank.isdigit() or not 1 <= int(rank) <= len(options):
            return [], _("Choose a rank from the list")
        if int(rank) in chosen:
            return [], _("Give each option a different rank")
        chosen[int(rank)] = options[index]
    ranks = sorted(chosen)
    if ranks != list(range(1, len(ranks) + 1)):
        return [], _("Number your ranks from 1 without gaps")
    return [chosen[r] for r in ranks], None


def validate_all(questions: Iterable, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every visible question; answers to hidden questions are dropped."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        if not is_visible(question, clean):
            continue
        value, error = validate_answer(question, answers.get(str(question.id), ""))
        if error:
            errors[question.field] = error
        if answer_present(value):
            clean[str(question.id)] = value
    return clean, errors


def check_respondent(respondent_type: str, organisation_name: str) -> tuple[str, dict[str, str]]:
    errors = {}
    if respondent_type not in RespondentType.__members__.values():
        errors["respondent_type"] = _("Choose who you are responding as")
    organisation_name = clean_text(organisation_name or "")
    if respondent_type == RespondentType.ORGANISATION and not organisation_name:
        errors["organisation_name"] = _("Enter the name of the organisation")
    if len(organisation_name) > 200:
        errors["organisation_name"] = _("The organisation's name must be 200 characters or fewer")
    return organisation_name, errors


def check_equalities(values: Mapping[str, Any],
                     wards: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """The harmonised equalities answers (app/services/equalities.py); a ward from `wards` when the
    council has a list, else a name of up to 80 characters."""
    return equalities.check(values, wards)


@dataclass(frozen=True)
class AnswerRow:
    question_id: int
    value_text: str
    option_index: int | None = None
    number: int | None = None


def answer_rows(questions: Iterable, clean: Mapping[str, Any]) -> list[AnswerRow]:
    """Normalised rows: one per text or single answer, per chosen option, per ranked item."""
    rows: list[AnswerRow] = []
    for question in questions:
        value = clean.get(str(question.id))
        if not answer_present(value):
            continue
        kind = QuestionKind(question.kind)
        if kind.is_text:
            rows.append(AnswerRow(question.id, value))
        elif kind == QuestionKind.SINGLE_CHOICE:
            rows.append(AnswerRow(question.id, value, question.options.index(value)))
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            rows += [AnswerRow(question.id, item, question.options.index(item)) for item in value]
        elif kind == QuestionKind.RATING:
            score = int(value)
            rows.append(AnswerRow(question.id, question.options[score - 1], score - 1, score))
        elif kind == QuestionKind.INDICATORS:
            ranked, suggestion = indicators_parts(question, value)
            rows += [AnswerRow(question.id, item, question.options.index(item), rank)
                     for rank, item in enumerate(ranked, start=1)]
            if suggestion:  # no option and no rank: the person's own proposal
                rows.append(AnswerRow(question.id, suggestion))
        else:
            rows += [AnswerRow(question.id, item, question.options.index(item), rank)
                     for rank, item in enumerate(value, start=1)]
    return rows


def display_value(question, value: Any) -> str:
    kind = QuestionKind(question.kind)
    if not answer_present(value):
        return _("Not answered")
    if kind == QuestionKind.RATING:
        return _option(question, question.options[int(value) - 1])
    if kind == QuestionKind.RANKING:
        return "\n".join(f"{rank}. {_option(question, item)}" for rank, item in enumerate(value, start=1))
    if kind == QuestionKind.INDICATORS:
        ranked, suggestion = indicators_parts(question, value)
        lines = [f"{rank}. {_option(question, item)}" for rank, item in enumerate(ranked, start=1)]
        suggested = [_("Suggested: {suggestion}").format(suggestion=suggestion)] if suggestion else []
        return "\n".join(lines + suggested)
    if isinstance(value, list):
        return "\n".join(_option(question, item) for item in value)
    if question.options and value in question.options:
        return _option(question, value)
    return value


def _option(question, option: str) -> str:
    """An option as the reader sees it: stored in English, shown in their language (issue 28)."""
    localised = getattr(question, "localised_option", None)
    return str(localised(option, current_locale())) if localised else option
