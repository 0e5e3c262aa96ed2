"""One set of equalities questions for every surface: a consultation's "About you" page, officer
entry of paper responses, the API and citizens' panels ask the same questions with the same answers,
so that who took part can be compared across them and with the Census.

The wording and answers follow the GSS/ONS harmonised standards (Census 2021 for sex, gender identity
and ethnic group; the harmonised age bands; the GSS harmonised disability question, asked as one
question: a long-lasting condition that reduces day-to-day activities, the Equality Act definition).
Ward comes from the council's ward list (the wards its citizens' panel recruits from), never free
text. Every question is optional; "Prefer not to say" is an answer on every list.

The wording and answers are stored and compared in English (they are the values kept and exported);
each is marked `N_` so a page shows it in the reader's language with `_(text)`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models.panel import NOT_SAID, Panel, PanelCategory, PanelFeature

PREFER_NOT_TO_SAY = N_("Prefer not to say")

AGE_BANDS = (N_("Under 16"), N_("16 to 24"), N_("25 to 34"), N_("35 to 44"), N_("45 to 54"), N_("55 to 64"),
             N_("65 to 74"), N_("75 or over"))
AGE_BANDS_16_AND_OVER = AGE_BANDS[1:]  # citizens' panels recruit from 16
SEXES = (N_("Female"), N_("Male"))
GENDER_SAME = N_("Yes")
GENDER_DIFFERENT = N_("No, write in your gender identity")
GENDER_ANSWERS = (GENDER_SAME, GENDER_DIFFERENT)
DISABILITY = (N_("Yes"), N_("No"))
ETHNIC_GROUPS = (N_("Asian or Asian British"), N_("Black, Black British, Caribbean or African"),
                 N_("Mixed or multiple ethnic groups"), N_("White"), N_("Other ethnic group"))


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[str, ...] | None  # None: the council's wards
    hint: str = ""


AGE = Question("age_band", N_("What is your age?"), AGE_BANDS)
SEX = Question("sex", N_("What is your sex?"), SEXES,
               hint=N_("A question about gender identity follows."))
GENDER_IDENTITY = Question("gender_identity",
                           N_("Is the gender you identify with the same as your sex registered at birth?"),
                           GENDER_ANSWERS)
DISABILITY_QUESTION = Question(
    "disability",
    N_("Do you have any physical or mental health conditions or illnesses lasting or expected to last "
       "12 months or more that reduce your ability to carry out day-to-day activities?"),
    DISABILITY)
ETHNICITY = Question("ethnicity", N_("What is your ethnic group?"), ETHNIC_GROUPS)
WARD = Question("ward", N_("Which ward do you live in?"), None,
                hint=N_("Your council tax bill shows your ward."))

QUESTIONS = (AGE, SEX, GENDER_IDENTITY, DISABILITY_QUESTION, ETHNICITY, WARD)
KEYS = tuple(q.key for q in QUESTIONS)
WRITE_IN_KEY = "gender_identity_text"  # the box revealed under GENDER_DIFFERENT
WRITE_IN_LIMIT = 80


def options_for(question: Question, wards: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The answers offered, with "Prefer not to say" last; wards when the council has a list."""
    options = question.options if question.options is not None else wards
    return (*options, PREFER_NOT_TO_SAY) if options else ()


def council_wards(db: Session) -> tuple[str, ...]:
    """The council's wards: those its most recent citizens' panel recruits from."""
    latest = db.scalar(select(Panel.id).order_by(Panel.id.desc()).limit(1))
    if latest is None:
        return ()
    rows = db.scalars(select(PanelFeature.value)
                      .join(PanelCategory, PanelCategory.id == PanelFeature.category_id)
                      .where(PanelCategory.panel_id == latest, PanelCategory.key == WARD.key)
                      .order_by(PanelFeature.position))
    return tuple(value for value in rows if value != NOT_SAID)


def check(values: Mapping[str, Any], wards: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Clean answers by key and errors by field. A gender identity written in is kept in place of
    GENDER_DIFFERENT; with no words written, GENDER_DIFFERENT itself is kept."""
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in QUESTIONS:
        value = " ".join(str(values.get(question.key) or "").split())
        if not value:
            continue
        allowed = options_for(question, wards)
        if question.key == GENDER_IDENTITY.key and value not in allowed:
            value = GENDER_DIFFERENT if value == "No" else value  # a written-in identity, from the API
            if value not in allowed and len(value) > WRITE_IN_LIMIT:
                errors[question.key] = _too_long()
                continue
        elif allowed and value not in allowed:
            errors[question.key] = _("Choose one of the options")
            continue
        elif not allowed and len(value) > WRITE_IN_LIMIT:
            errors[question.key] = _too_long()
            continue
        clean[question.key] = value
    if clean.get(GENDER_IDENTITY.key) == GENDER_DIFFERENT:
        written = " ".join(str(values.get(WRITE_IN_KEY) or "").split())
        if len(written) > WRITE_IN_LIMIT:
            errors[WRITE_IN_KEY] = _("Your gender identity must be {limit} characters or fewer").format(
                limit=WRITE_IN_LIMIT)
        elif written:
            clean[GENDER_IDENTITY.key] = written
    return clean, errors


def _too_long() -> str:
    return _("Your answer must be {limit} characters or fewer").format(limit=WRITE_IN_LIMIT)
