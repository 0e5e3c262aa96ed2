"""Demo consultations for the review: one open for anyone on home care, one closed with real answers.

The closed consultation is a patient-experience survey: its free-text answers are the 480 real NHS
Friends and Family Test comments in data/nhs_feedback_sample.csv (MIT), written by patients of three
anonymised NHS trusts about the care they received, and it says so to everyone who reads it. Each
comment answers the survey question that matches the one its trust asked: "what could be improved?"
comments answer "What could the service do better?", the others (why that rating, what was good)
answer "Please tell us why you gave that rating." Ratings, respondent types, channels and dates are
illustrative, spread with a seeded random generator so the results pages have realistic breakdowns.

Twelve further answers are an organised campaign, built from the same source and saying so: one
patient's comment (row 642, asking for face-to-face appointments) sent as a template by twelve
respondents, six of them adding a second real comment of the sample's. Analysis counts them once,
as a campaign, on the themes page's "Organised campaign responses" (the web's scrubbing path).
"""

import csv
import random
from datetime import timedelta
from pathlib import Path

from app.models.base import utcnow
from app.models.consultation import Audience, Channel, ConsultationState, QuestionKind
from app.services import consultations as service
from app.services.consultations import answering, building

ORDER = 20
DATA = Path(__file__).parent / "data" / "nhs_feedback_sample.csv"
RATING = ["Very poor", "Poor", "Fair", "Good", "Very good"]
# The source trusts' questions that asked what could be improved (the rest asked why people gave
# their rating, or what was good).
IMPROVEMENT_QUESTIONS = {"Trust A - Q1", "Trust C - Q2"}
SURVEY_TITLE = "Patients' experiences of NHS care (Friends and Family Test)"
WHY_QUESTION = "Please tell us why you gave that rating."
BETTER_QUESTION = "What could the service do better?"
# The campaign: a template one group handed round (real words: data/nhs_feedback_sample.csv, row 642)
# and what some senders added (each a whole real comment from the same file). See data/ATTRIBUTION.md.
CAMPAIGN_LETTER = (
    "Obviously in the current situation, a phone call is the only option, but ideally a face-to-face "
    "option would be preferable, as I feel that it is more difficult to relate to a voice on a phone."
)
CAMPAIGN_ADDITIONS = ["", "More staff.", "", "Quicker appointments, was waiting a while", "",
                      "Staff to spend more time with patient.", "",
                      "More communication between doctors/nurses and patients.", "",
                      "Some delays, could have been explained better.", "", "Less waiting in the morning."]
PRIORITIES = ["The same care workers each visit", "Visits that arrive on time", "Longer visits",
              "Better pay and training for care workers", "Keeping the cost to the council down"]


def _question(db, consultation, kind, text, *, page, required=False, options=(), hint="", **extra):
    data = building.QuestionInput(kind=kind.value, text=text, hint=hint, required=required,
                                  options="\n".join(options), page=str(page), **extra)
    return building.add_question(db, consultation, data)


def _open_consultation(db, demo, officer_id):
    consultation = service.create_consultation(
        db, review_id=demo.review.id, title="Home care in Riverside: what matters to you?",
        summary=("The council is deciding how home care should be provided from next year: by its own "
                 "in-house team, by contracted providers, or a mix.\n\nWe want to hear from people who "
                 "use home care, their carers and families, care workers and organisations. It takes "
                 "about 5 minutes."),
        audience=Audience.ANYONE, actor_id=officer_id, closes_at=utcnow() + timedelta(days=42))
    _question(db, consultation, QuestionKind.RATING, "How would you rate home care in Riverside today?",
              page=1, required=True, options=RATING, hint="Think about the last 12 months.")
    keep = _question(db, consultation, QuestionKind.SINGLE_CHOICE,
                     "Should the council keep its own in-house home-care service?", page=2, required=True,
                     options=["Yes, keep it", "No, contract it out", "Not sure"])
    _question(db, consultation, QuestionKind.LONG_TEXT, "Why do you say that?", page=2, max_length="1500")
    _question(db, consultation, QuestionKind.SHORT_TEXT, "What would help you decide?", page=2,
              show_if_question_id=str(keep.id), show_if_value="Not sure")
    _question(db, consultation, QuestionKind.MULTIPLE_CHOICE, "Which of these have you experienced?",
              page=3, options=["Missed visits", "Late visits", "Rushed visits", "A different care worker "
                               "most visits", "None of these"])
    _question(db, consultation, QuestionKind.RANKING, "Rank these priorities for the review", page=4,
              options=PRIORITIES, hint="The council cannot do everything at once: what matters most?")
    _question(db, consultation, QuestionKind.LONG_TEXT, "Is there anything else you want to tell us?",
              page=5, max_length="3000")
    service.open_consultation(db, consultation, actor_id=officer_id)
    return consultation


def _stance(label: str, rng: random.Random) -> str:
    base = {"Couldn't be improved": 5, "Care received": 4, "Staff": 4}.get(label, 2)
    return str(min(5, max(1, base + rng.choice([-1, 0, 0, 0, 1]))))


def _asked(row: dict, why, better):
    return better if row["question"] in IMPROVEMENT_QUESTIONS else why


def _closed_consultation(db, demo, officer_id):
    consultation = service.create_consultation(
        db, review_id=demo.review.id, title=SURVEY_TITLE,
        summary=("What patients of three NHS trusts wrote about the care they received and what could be "
                 "better. The comments are real: NHS Friends and Family Test answers published by The "
                 "Strategy Unit (pxtextmining, MIT licence), the trusts anonymised. The ratings, who "
                 "answered and when are illustrative, and so is one organised campaign: one patient's "
                 "comment sent by twelve respondents, some adding another real comment."),
        audience=Audience.ANYONE, actor_id=officer_id)
    consultation.opens_at = utcnow() - timedelta(days=70)
    rating = _question(db, consultation, QuestionKind.RATING,
                       "Overall, how would you rate the care you received?", page=1,
                       required=True, options=RATING)
    why = _question(db, consultation, QuestionKind.LONG_TEXT, WHY_QUESTION, page=1, max_length="4000")
    better = _question(db, consultation, QuestionKind.LONG_TEXT, BETTER_QUESTION, page=1, max_length="4000")
    service.open_consultation(db, consultation, actor_id=officer_id)
    consultation.opens_at = utcnow() - timedelta(days=70)
    form = answering.load_form(db, consultation.id)
    rng = random.Random(20261123)  # noqa: S311 - reproducible demo data, not security
    types = (["service_user"] * 8 + ["carer"] * 5 + ["resident"] * 3 + ["staff"] * 2
             + ["organisation", "other"])
    channels = [Channel.ONLINE] * 14 + [Channel.PAPER] * 3 + [Channel.PHONE] * 2 + [Channel.FOCUS_GROUP]
    organisations = list(demo.organisations.values())
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for n, row in enumerate(rows):
        respondent_type = rng.choice(types)
        organisation = rng.choice(organisations) if respondent_type == "organisation" else None
        submission = answering.Submission(
            respondent_type=respondent_type,
            answers={str(rating.id): _stance(row["label"], rng),
                     str(_asked(row, why, better).id): row["feedback"].strip()[:4000]},
            organisation_name=organisation.name if organisation else "",
            organisation_id=organisation.id if organisation else None,
            channel=rng.choice(channels), is_panel=rng.random() < 0.1,
            equalities={"age_band": rng.choice(["25 to 34", "45 to 54", "65 to 74", "75 or over"])}
            if rng.random() < 0.5 else None,
            submitted_at=utcnow() - timedelta(days=70) + timedelta(minutes=rng.randint(0, 60 * 24 * 55)),
        )
        answering.record_response(db, form, submission, f"demo-{consultation.id}-{n}")
    for n, addition in enumerate(CAMPAIGN_ADDITIONS):
        letter = f"{CAMPAIGN_LETTER} {addition}".strip()
        submission = answering.Submission(
            respondent_type=rng.choice(["service_user", "carer"]),
            answers={str(rating.id): rng.choice(["2", "3"]), str(better.id): letter},
            channel=rng.choice([Channel.ONLINE, Channel.PAPER]),
            submitted_at=utcnow() - timedelta(days=30) + timedelta(minutes=rng.randint(0, 60 * 24 * 10)),
        )
        answering.record_response(db, form, submission, f"demo-{consultation.id}-campaign-{n}")
    service.close_consultation(db, consultation, actor_id=officer_id)
    return consultation, len(rows) + len(CAMPAIGN_ADDITIONS)


def load(db, demo) -> None:
    officer = demo.users.get("officer@riverside.example")
    officer_id = officer.id if officer else None
    open_one = _open_consultation(db, demo, officer_id)
    closed, count = _closed_consultation(db, demo, officer_id)
    assert closed.state == ConsultationState.CLOSED
    demo.notes.append(f"Consultations: '{open_one.title}' is open at /consultations/{open_one.id}; "
                      f"'{closed.title}' is closed with {count} responses "
                      f"(results at /officer/consultations/{closed.id}/results).")
