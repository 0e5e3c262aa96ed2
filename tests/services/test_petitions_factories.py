"""Plain factory functions for petition tests (shared by the service and route tests)."""

import itertools
from datetime import timedelta

from app.models.base import utcnow
from app.models.petition import PetitionState
from app.services import petitions
from app.services.petitions.rules import RuleSet
from app.services.petitions.signing import clean_signer, confirm_signature, sign, start_petition
from app.tokens import new_token, token_hash

BASE_URL = "http://testserver"
_n = itertools.count(1)


def signer(email=None, *, name="Ada Resident", location="RV1 2AB", notify=False):
    return clean_signer(name=name, email=email or f"signer{next(_n)}@example.org", location=location,
                        consent=True, notify=notify)


def petition(db, state=PetitionState.OPEN, *, title="Keep the in-house home-care service", **overrides):
    made = start_petition(db, title=title, action="Keep home care run by the council.", background="",
                          signer=signer(), ip="198.51.100.1", settings=petitions.current_settings(db),
                          base_url=BASE_URL)
    made.state = state
    now = utcnow()
    if state in (PetitionState.OPEN, PetitionState.CLOSED):
        made.opened_at = now - timedelta(days=1)
        made.closes_at = now + timedelta(days=180)
    for key, value in overrides.items():
        setattr(made, key, value)
    db.flush()
    return made


def signed(db, target, email=None, *, ip="203.0.113.5", limiter=None, rules=None, notify=False):
    """Sign, and return the plain token (replaced, since the real one only travels by email)."""
    from sqlalchemy import select

    from app.models.petition import PetitionSignature

    who = signer(email, notify=notify)
    outcome = sign(db, target, who, ip=ip, settings=petitions.current_settings(db), rules=rules or RuleSet(),
                   limiter=limiter, base_url=BASE_URL)
    row = db.scalar(select(PetitionSignature).where(PetitionSignature.petition_id == target.id,
                                                    PetitionSignature.normalised_email == who.normalised_email))
    token = new_token()
    if row is not None and row.validated_at is None:
        row.token_hash = token_hash(token)
        db.flush()
    return outcome, token


def confirmed(db, target, email=None, **kwargs):
    _outcome, token = signed(db, target, email, **kwargs)
    return confirm_signature(db, token, base_url=BASE_URL)
