"""Email normalisation: one signature per person per petition, whatever way they type their address."""

from email_validator import EmailNotValidError, validate_email

from app.errors import InvalidInput
from app.i18n import _

# Providers known to ignore dots in the local part (and to deliver `name+tag` to `name`).
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}


def check_signer_email(email: str) -> str:
    """The address as typed (trimmed, syntax-checked), or InvalidInput for the form."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput(
            {"email": _("Enter an email address in the correct format, like name@example.com")}
        ) from None


def normalise_email(email: str) -> str:
    """The key that identifies a person: lower case, `+tags` removed, dots removed where ignored."""
    local, _sep, domain = email.strip().lower().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]
