"""The signing fast path: a signature screened against caches a few seconds old, then written in
one short write turn (Database.write_transaction), from a worker thread of an async handler.

Settings, rules and the petition's state come from per-process caches (app.caching); the INSERT
itself checks that the petition is still signable, so a cache cannot let a signature into a closed
petition. Only a repeat signer or a stale cache costs more queries. Signed, already signed or
dropped by a block rule are all answered the same (no enumeration).
"""

from dataclasses import dataclass

from app.caching import PetitionCaches
from app.db import Database
from app.errors import InvalidInput, RateLimited
from app.i18n import N_, _, ngettext
from app.ratelimit import RateLimiter
from app.services import petitions
from app.services.petitions.rules import RuleSet, load_rules
from app.services.petitions.signing import PetitionRef, Signer, clean_signer, screen, sign

SIGN_LIMIT_FIELD = "sign-limit"  # the form's note on the per-address limit, where its error links


@dataclass(frozen=True)
class Refusal:
    """Why a signing form comes back to the signer: what is wrong, by field, and the status."""

    errors: dict[str, str]
    status_code: int = 422
    retry_after_seconds: int | None = None


def signer_from_form(values: dict) -> Signer | Refusal:
    """The signer a signing form names, or a Refusal saying what is wrong. No database: the route
    calls it before taking a signing slot, so a slot is held only for the write."""
    try:
        return clean_signer(
            name=values["name"],
            email=values["email"],
            location=values["location"],
            consent=bool(values["consent"]),
            notify=bool(values["notify"]),
        )
    except InvalidInput as error:
        return Refusal(error.errors)


def sign_or_refuse(
    database: Database,
    caches: PetitionCaches,
    limiter: RateLimiter,
    signer: Signer,
    *,
    petition_id: int,
    support_token: str | None,
    ip: str | None,
    base_url: str,
) -> Refusal | None:
    """None when the signer is told to check their email (signed, already signed or dropped by a
    block rule alike: no enumeration). A burst from one address (a household, a library PC, a mobile
    network) is a Refusal whose message says how long to wait, never a bare error page."""
    try:
        sign_through_caches(
            database,
            caches,
            limiter,
            petition_id=petition_id,
            support_token=support_token,
            signer=signer,
            ip=ip,
            base_url=base_url,
        )
    except RateLimited as limited:
        wait = limited.retry_after_seconds
        return Refusal({SIGN_LIMIT_FIELD: burst_message(wait)}, 429, wait)
    return None


def sign_through_caches(
    database: Database,
    caches: PetitionCaches,
    limiter: RateLimiter,
    *,
    petition_id: int,
    support_token: str | None,
    signer: Signer,
    ip: str | None,
    base_url: str,
) -> None:
    """Raises NotFound for a petition the signer may not see, RateLimited for a burst."""
    settings_row = caches.settings.get("settings", lambda: _read(database, petitions.current_settings))
    rules = caches.settings.get("rules", lambda: _read(database, load_rules))
    key = ("support", support_token) if support_token else ("petition", petition_id)
    target = caches.settings.get(key, lambda: _read(database, lambda db: _signable_ref(db, key)))
    if not screen(target.id, signer, ip=ip, settings=settings_row, rules=rules, limiter=limiter):
        return  # dropped: answered like any other signature
    with database.write_transaction() as db:
        sign(
            db, target, signer, ip=ip, settings=settings_row, rules=RuleSet(), limiter=None, base_url=base_url
        )


def _read(database: Database, load):
    with database.transaction(write=False) as db:
        return load(db)


def _signable_ref(db, key) -> PetitionRef:
    """The petition a signature is for, if the signer may see it (NotFound, never cached, if not)."""
    kind, value = key
    if kind == "support":
        found = petitions.get_by_support_token(db, value)
    else:
        found = petitions.get_visible(db, value)
    return PetitionRef(found.id, found.title, found.state)


# A limit's period in words ("5/minute" -> "a minute", "30/5 minutes" -> "in 5 minutes"), said in the
# reader's language; units outside these (never set by Chorus) are shown as written.
PERIODS = {"second": N_("a second"), "minute": N_("a minute"), "hour": N_("an hour"), "day": N_("a day")}
PERIODS_OF = {"seconds": N_("in {n} seconds"), "minutes": N_("in {n} minutes"), "hours": N_("in {n} hours"),
              "days": N_("in {n} days")}
COUNTED = {"": N_("{count} {period}"), "signatures": N_("{count} signatures {period}"),
           "petitions": N_("{count} petitions {period}")}


def limit_in_words(limit: str, noun: str = "") -> str:
    """'5/minute' -> '5 signatures a minute' (noun 'signatures'); '30/5 minutes' -> '30 in 5 minutes'."""
    count, _slash, per = limit.partition("/")
    count, per = count.strip(), per.strip()
    number, _space, unit = per.partition(" ")
    if number.isdigit() and unit in PERIODS_OF:
        period = _(PERIODS_OF[unit]).format(n=number)
    else:
        period = _(PERIODS[per]) if per in PERIODS else per
    return _(COUNTED.get(noun, COUNTED[""])).format(count=count, period=period)


def signing_limit_in_words(settings_row) -> str:
    """The per-address limit in words, for the note on every signing form."""
    return _("{short} and {long}").format(
        short=limit_in_words(settings_row.signing_limit_per_address_short, "signatures"),
        long=limit_in_words(settings_row.signing_limit_per_address_long))


def burst_message(retry_after_seconds: int) -> str:
    minutes = max(1, -(-retry_after_seconds // 60))
    return ngettext(
        "Several signatures have just been sent from your connection. Wait {minutes} minute, then press "
        "the button again: what you typed is kept.",
        "Several signatures have just been sent from your connection. Wait {minutes} minutes, then press "
        "the button again: what you typed is kept.", minutes).format(minutes=minutes)
