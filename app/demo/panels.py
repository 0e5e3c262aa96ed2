"""Demo citizens' panel: a pool of 320 volunteers, census-style targets and one completed draw.

Profiles are categorical and drawn with a seeded RNG from stated distributions. The pool is
skewed the way volunteer pools usually are (older, more owner-occupiers, fewer young people
and renters), so the draw has real correcting to do. Names are common English forenames and
surnames; emails use the reserved example.org domain.
"""

import random

from sqlalchemy.orm import Session

from app.job_queue import pending_jobs
from app.models.base import utcnow
from app.models.panel import (
    NOT_SAID,
    PanelInvitation,
    PanelSpecialProfile,
    PanelVolunteer,
    VolunteerSource,
)
from app.services import panels
from app.services.panels import draws as panels_draws
from app.services.panels import pool as panels_pool
from app.tokens import new_token, token_hash

ORDER = 50
POOL_SIZE = 320
PANEL_SIZE = 40
SEED = 20261123
WARDS = ["Northgate", "Riverside Central", "St Mary's", "Eastfields", "Westbrook", "Old Town"]
STREETS = ["Mill Lane", "Church Street", "Station Road", "Victoria Road", "Park Avenue", "The Crescent",
           "Queen Street", "Riverside Walk", "Orchard Close", "Green Lane", "King's Road", "Bridge Street"]
FORENAMES = ["Olivia", "Amelia", "Isla", "Ava", "Mohammed", "Noah", "Oliver", "George", "Fatima", "Priya",
             "Grace", "Jack", "Harry", "Sophie", "Emily", "Aisha", "David", "Susan", "Margaret", "Peter",
             "John", "Patricia", "Kwame", "Chloe", "Daniel", "Hannah", "Ravi", "Joyce", "Samuel", "Mary"]
SURNAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
            "Johnson", "Roberts", "Khan", "Patel", "Ali", "Walker", "Wright", "Robinson", "Thompson",
            "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Okafor", "Begum"]

# Who volunteers (weights), not who lives in the borough: the targets below are the borough.
POOL_WEIGHTS = {
    "age_band": {"16 to 24": 6, "25 to 34": 11, "35 to 44": 15, "45 to 54": 17, "55 to 64": 20,
                 "65 to 74": 18, "75 or over": 13},
    "sex": {"Female": 56, "Male": 43, NOT_SAID: 1},
    "ward": dict.fromkeys(WARDS, 1) | {"Northgate": 1.4, "Old Town": 1.3, "Eastfields": 0.7},
    "housing": {"Owned outright or with a mortgage": 66,
                "Rented from the council or a housing association": 14,
                "Rented from a private landlord": 16, "Other": 4},
    "home_care": {"I use home care": 7, "I care for someone who uses home care": 10, "Neither": 83},
    "ethnicity": {"White": 70, "Asian or Asian British": 11, "Black, Black British, Caribbean or African": 8,
                  "Mixed or multiple ethnic groups": 4, "Other ethnic group": 2, "": 5},
    "disability": {"Yes": 19, "No": 76, "": 5},
}

# Census-style shares for a borough of about 190,000 residents aged 16 and over, turned into
# (min, max) counts for a panel of 40: round(share x 40) with one person either side. The six
# wards are about the same size (a sixth each: 5 to 8 seats), and the draw takes at most one
# person per address, since every fifteenth volunteer shares a home with the one before.
TARGETS = {
    "ward": dict.fromkeys(WARDS, (5, 8)),
    "age_band": {"16 to 24": (4, 6), "25 to 34": (6, 8), "35 to 44": (6, 8), "45 to 54": (5, 7),
                 "55 to 64": (5, 7), "65 to 74": (4, 5), "75 or over": (3, 4)},
    "sex": {"Female": (19, 21), "Male": (19, 21)},
    "home_care": {"I use home care": (3, 6), "I care for someone who uses home care": (3, 6)},
    "ethnicity": {"White": (22, 26), "Asian or Asian British": (6, 8),
                  "Black, Black British, Caribbean or African": (4, 6),
                  "Mixed or multiple ethnic groups": (1, 3), "Other ethnic group": (1, 2)},
}
# Share of selected members who took part, by age band: the young answer least, so the
# report has someone to warn about.
RESPONSE_RATE = {"16 to 24": 0.2, "25 to 34": 0.45, "35 to 44": 0.6, "45 to 54": 0.7, "55 to 64": 0.8,
                 "65 to 74": 0.85, "75 or over": 0.75}


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _volunteers(db: Session, panel, rng: random.Random) -> None:
    special_keys = {c.key for c in panel.categories if c.special}
    now = utcnow()
    address = ""
    for n in range(1, POOL_SIZE + 1):
        answers = {key: _pick(rng, weights) for key, weights in POOL_WEIGHTS.items()}
        if n % 15 != 0 or not address:  # every fifteenth volunteer shares a home with the one before
            address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
            postcode = f"RV{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                       f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        name = f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}"
        volunteer = PanelVolunteer(
            panel_id=panel.id, name=name, email=f"panel.volunteer{n}@example.org", address=address,
            postcode=postcode, household_key=panels_pool.household_key(address, postcode),
            profile={k: v for k, v in answers.items() if k not in special_keys},
            source=VolunteerSource.FORM, consent_text=panel.consent_text, consented_at=now,
            email_confirmed_at=now if n % 3 else None)
        db.add(volunteer)
        db.flush()
        special = {k: answers[k] for k in special_keys if answers.get(k)}
        if special:
            db.add(PanelSpecialProfile(volunteer_id=volunteer.id, answers=special,
                                       consent_text=panel.special_consent_text, consented_at=now))


def _set_targets(panel) -> None:
    for category in panel.categories:
        for feature in category.features:
            low_high = TARGETS.get(category.key, {}).get(feature.value)
            if low_high:
                feature.target_min, feature.target_max = low_high


def _responses(db: Session, record, rng: random.Random) -> None:
    record.target_url = "/forums"
    now = utcnow()
    for member in panels_draws.current_members(db, record):
        member.invited_at = now
        invitation = PanelInvitation(member_id=member.id, target_url=record.target_url,
                                     token_hash=token_hash(new_token()))
        db.add(invitation)
        if rng.random() < RESPONSE_RATE.get(member.volunteer.profile.get("age_band"), 0.6):
            invitation.used_at = member.responded_at = now


def load(db: Session, demo) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo profiles, not security
    panel = panels.create_panel(
        db, name="Riverside Citizens' Panel", wards=WARDS, council_name="Riverside Borough Council",
        description=("Residents who volunteer to be chosen at random, a few dozen at a time, to tell "
                     "the council what they think of its services, starting with home care."))
    _volunteers(db, panel, rng)
    _set_targets(panel)
    db.flush()
    record = panels_draws.request_draw(
        db, panel, purpose="Home care review: panel workshop", size=str(PANEL_SIZE), seed=str(SEED),
        one_per_household=True, actor_id=demo.users["officer@riverside.example"].id)
    _drop_queued_draw(db)
    panels_draws.draw_in_session(db, record)
    if record.status.value == "done":
        _responses(db, record, rng)
    db.flush()
    demo.notes.append(f"Citizens' panel: {POOL_SIZE} volunteers and a draw of {PANEL_SIZE} "
                      f"({record.status.value}, {record.algorithm or record.message}) at "
                      f"/officer/panels/{panel.id}/draws/{record.id}")


def _drop_queued_draw(db: Session) -> None:
    """The demo draws in its own transaction, so the worker must not draw it again."""
    queued = pending_jobs(db)
    queued[:] = [(name, args) for name, args in queued if name != "panels.run_panel_draw"]
