"""A petition started from the resident's form: every problem at once, and a few starts an hour."""

from sqlalchemy.orm import Session

from app.errors import InvalidInput, RateLimited
from app.i18n import N_, _
from app.input_guard import nul_errors, without_nul
from app.models.petition import PetitionSettings
from app.ratelimit import RateLimiter
from app.services.petitions.signing import check_new_petition, start_petition

STARTS_PER_ADDRESS = "5/hour"
START_LIMIT_FIELD = "start-limit"  # where the rate limit's message links on the form
TOO_MANY_STARTS = N_(
    "Several petitions have been started from your connection in the last hour. Try again "
    "later: what you typed is kept on this page."
)


def start_from_form(
    db: Session,
    sent: dict[str, str],
    *,
    review_ids: set[int],
    ip: str | None,
    limiter: RateLimiter,
    settings: PetitionSettings,
    base_url: str,
) -> None:
    """Starts a pending petition whose starter confirms by email. Raises InvalidInput with every
    problem at once (a NUL byte is one: the input guard leaves it to this form, which keeps the
    text), or RateLimited past STARTS_PER_ADDRESS from one address. `review_ids`: the reviews a
    petition may name (those the form offers)."""
    errors, values = nul_errors(sent), without_nul(sent)
    try:
        new = check_new_petition(values, review_ids)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    if ip and not limiter.allow("petition-start", STARTS_PER_ADDRESS, ip):
        raise RateLimited(_(TOO_MANY_STARTS))
    start_petition(
        db,
        title=new.title,
        action=new.action,
        background=new.background,
        signer=new.signer,
        ip=ip,
        settings=settings,
        base_url=base_url,
        review_id=new.review_id,
    )
