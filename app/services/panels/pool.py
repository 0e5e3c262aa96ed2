"""The volunteer pool: joining, updating, leaving (which deletes the profile), and CSV import.

Every email to a volunteer carries a manage link; its token is random and only its hash is
stored, so each email issues a fresh token and earlier links stop working.
"""

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound
from app.i18n import _, ngettext
from app.models.base import utcnow
from app.models.panel import (
    NOT_SAID,
    MemberStatus,
    Panel,
    PanelCategory,
    PanelMember,
    PanelSpecialProfile,
    PanelVolunteer,
    VolunteerSource,
)
from app.services import audit
from app.services import email as outbox
from app.services.accounts import check_email
from app.services.email import queue_email
from app.tokens import new_token, token_hash

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 20_000
MAX_LISTED_ERRORS = 30
CONTACT_COLUMNS = {"id", "name", "email", "address", "postcode", "household"}


@dataclass
class VolunteerForm:
    name: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    consent: bool = False
    special_consent: bool = False
    answers: dict[str, str] | None = None  # category key -> chosen feature value

    @classmethod
    def from_mapping(cls, panel: Panel, data: Mapping[str, str]) -> "VolunteerForm":
        return cls(
            name=data.get("name", ""), email=data.get("email", ""), address=data.get("address", ""),
            postcode=data.get("postcode", ""), consent=data.get("consent") == "yes",
            special_consent=data.get("special_consent") == "yes",
            answers={c.key: data.get(f"c-{c.key}", "") for c in panel.categories},
        )

    @classmethod
    def from_volunteer(cls, volunteer: PanelVolunteer) -> "VolunteerForm":
        answers = dict(volunteer.profile)
        if volunteer.special is not None:
            answers.update(volunteer.special.answers)
        return cls(name=volunteer.name, email=volunteer.email or "", address=volunteer.address,
                   postcode=volunteer.postcode, consent=True,
                   special_consent=volunteer.special is not None, answers=answers)


def normalise_postcode(raw: str) -> str:
    compact = re.sub(r"\s+", "", raw.upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def household_key(address: str, postcode: str) -> str | None:
    """Same first line of address and postcode means the same household (case and spacing aside)."""
    first_line = re.sub(r"[^a-z0-9]+", " ", address.lower().split(",")[0]).strip()
    compact = re.sub(r"\s+", "", postcode.upper())
    return f"{compact}|{first_line}"[:320] if first_line and compact else None


def _check(panel: Panel, form: VolunteerForm, *, joining: bool) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = _("Enter your name")
    elif len(form.name) > 200:
        errors["name"] = _("Name must be 200 characters or fewer")
    try:
        form.email = check_email(form.email)
    except InvalidInput as error:
        errors.update(error.errors)
    if not form.address.strip():
        errors["address"] = _("Enter the first line of your address")
    postcode = normalise_postcode(form.postcode)
    if not POSTCODE.match(postcode):
        errors["postcode"] = _("Enter a full UK postcode, like RV1 2AB")
    form.postcode = postcode
    profile, special = {}, {}
    answers = form.answers or {}
    for category in panel.categories:
        value = answers.get(category.key, "").strip()
        allowed = {f.value for f in category.features}
        if category.special:
            if value and value not in allowed:
                errors[f"c-{category.key}"] = _("Choose an answer for “{question}”").format(
                    question=category.label)
            elif value and value != NOT_SAID:
                special[category.key] = value
        elif value not in allowed:
            errors[f"c-{category.key}"] = _("Choose an answer for “{question}” (or “{not_said}”)").format(
                question=category.label, not_said=_(NOT_SAID))
        else:
            profile[category.key] = value
    if special and not form.special_consent:
        errors["special_consent"] = _("Tick the box to agree that we keep your answers about "
                                       "ethnicity and health, or leave those questions blank")
    if joining and not form.consent:
        errors["consent"] = _("Tick the box to agree to join the panel")
    if errors:
        raise InvalidInput(errors)
    return profile, special


def join(db: Session, panel: Panel, form: VolunteerForm, *, base_url: str) -> PanelVolunteer:
    """Add a volunteer and email them a manage link. Someone already in the pool gets a fresh
    link instead, and the page says the same thing either way (no membership enumeration)."""
    profile, special = _check(panel, form, joining=True)
    existing = db.scalar(select(PanelVolunteer).where(PanelVolunteer.panel_id == panel.id,
                                                      PanelVolunteer.email == form.email))
    if existing is not None:
        send_manage_link(db, panel, existing, base_url=base_url, already_joined=True)
        return existing
    now = utcnow()
    volunteer = PanelVolunteer(
        panel_id=panel.id, name=form.name.strip(), email=form.email, address=form.address.strip()[:300],
        postcode=form.postcode, household_key=household_key(form.address, form.postcode),
        profile=profile, source=VolunteerSource.FORM, consent_text=panel.consent_text, consented_at=now,
    )
    db.add(volunteer)
    db.flush()
    _store_special(db, panel, volunteer, special, existing=None)
    token = issue_manage_token(volunteer)
    queue_email(db, "panel_joined", to=volunteer.email, concerns=f"panel_volunteer:{volunteer.id}",
                language=volunteer.language, name=volunteer.name, panel=panel.name,
                link=manage_link(base_url, token))
    audit.record(db, actor_id=None, action="panel.join", object_type="panel", object_id=panel.id)
    return volunteer


def _store_special(db: Session, panel: Panel, volunteer: PanelVolunteer, answers: dict,
                   existing: PanelSpecialProfile | None) -> None:
    if not answers:
        if existing is not None:
            db.execute(delete(PanelSpecialProfile).where(PanelSpecialProfile.id == existing.id))
        return
    if existing is None:
        db.add(PanelSpecialProfile(volunteer_id=volunteer.id, answers=answers,
                                   consent_text=panel.special_consent_text, consented_at=utcnow()))
    else:
        existing.answers = answers


def issue_manage_token(volunteer: PanelVolunteer) -> str:
    token = new_token()
    volunteer.manage_token_hash = token_hash(token)
    return token


def manage_link(base_url: str, token: str) -> str:
    return f"{base_url}/panels/manage/{token}"


def send_manage_link(db: Session, panel: Panel, volunteer: PanelVolunteer, *, base_url: str,
                     already_joined: bool = False) -> None:
    token = issue_manage_token(volunteer)
    queue_email(db, "panel_details", to=volunteer.email or "", concerns=f"panel_volunteer:{volunteer.id}",
                language=volunteer.language, name=volunteer.name, panel=panel.name,
                already_joined=already_joined, link=manage_link(base_url, token))


def request_manage_link(db: Session, panel: Panel, email: str, *, base_url: str) -> None:
    """Email a fresh link if the address is in the pool; say nothing either way."""
    address = check_email(email)
    volunteer = db.scalar(select(PanelVolunteer).where(PanelVolunteer.panel_id == panel.id,
                                                       PanelVolunteer.email == address))
    if volunteer is not None:
        send_manage_link(db, panel, volunteer, base_url=base_url)


def volunteer_by_token(db: Session, token: str) -> PanelVolunteer:
    volunteer = db.scalar(select(PanelVolunteer).options(selectinload(PanelVolunteer.special))
                          .where(PanelVolunteer.manage_token_hash == token_hash(token)))
    if volunteer is None:
        raise NotFound(_("This link has expired or you have left the panel. Links stop working "
                         "when a newer email is sent: use the link in your latest email."))
    return volunteer


def confirm_email(volunteer: PanelVolunteer) -> None:
    """Opening a manage link proves the address works (only its owner received the token)."""
    if volunteer.email_confirmed_at is None:
        volunteer.email_confirmed_at = utcnow()


def update_volunteer(db: Session, panel: Panel, volunteer: PanelVolunteer, form: VolunteerForm) -> None:
    profile, special = _check(panel, form, joining=False)
    clash = db.scalar(select(PanelVolunteer.id).where(
        PanelVolunteer.panel_id == panel.id, PanelVolunteer.email == form.email,
        PanelVolunteer.id != volunteer.id))
    if clash:
        raise InvalidInput({"email": _("Another volunteer uses this email address")})
    if form.email != volunteer.email:
        volunteer.email_confirmed_at = None
    volunteer.name = form.name.strip()
    volunteer.email = form.email
    volunteer.address = form.address.strip()[:300]
    volunteer.postcode = form.postcode
    volunteer.household_key = household_key(form.address, form.postcode)
    volunteer.profile = profile
    volunteer.updated_at = utcnow()
    _store_special(db, panel, volunteer, special, existing=volunteer.special)
    audit.record(db, actor_id=None, action="panel.volunteer_update", object_type="panel",
                 object_id=panel.id)


def leave(db: Session, volunteer: PanelVolunteer) -> None:
    """Delete the profile and special-category answers; draws keep an anonymous 'left' seat."""
    db.execute(update(PanelMember).where(PanelMember.volunteer_id == volunteer.id)
               .values(status=MemberStatus.LEFT, volunteer_id=None))
    db.execute(delete(PanelSpecialProfile).where(PanelSpecialProfile.volunteer_id == volunteer.id))
    panel_id = volunteer.panel_id
    db.execute(delete(PanelVolunteer).where(PanelVolunteer.id == volunteer.id))
    outbox.purge_concerning(db, f"panel_volunteer:{volunteer.id}")  # their emails go with them
    db.expunge(volunteer)
    audit.record(db, actor_id=None, action="panel.leave", object_type="panel", object_id=panel_id)


# --- CSV import (officers) -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: int


def import_pool_csv(db: Session, panel: Panel, content: bytes, *, consent_note: str,
                    actor_id: int | None) -> ImportResult:
    """Add every row of a respondents.csv, or none: errors are listed per row.

    Columns: one per category (by key or label), plus optional id, name, email, address,
    postcode and household. A blank answer is stored as “Prefer not to say”.
    """
    text = _decode(content)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InvalidInput({"file": _("The file is empty")})
    columns = _map_columns(panel, [h.strip() for h in header])
    existing_ids = set(db.scalars(select(PanelVolunteer.external_id).where(
        PanelVolunteer.panel_id == panel.id, PanelVolunteer.external_id.is_not(None))))
    existing_emails = set(db.scalars(select(PanelVolunteer.email).where(
        PanelVolunteer.panel_id == panel.id, PanelVolunteer.email.is_not(None))))
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            raise InvalidInput({"file": _("Import up to {limit} volunteers at a time").format(
                limit=f"{MAX_IMPORT_ROWS:,}")})
        try:
            rows.append(_import_row(columns, raw, existing_ids, existing_emails))
        except ValueError as error:
            problems.append(_("Row {line}: {problem}").format(line=line, problem=error))
    if problems:
        listed = "; ".join(problems[:MAX_LISTED_ERRORS])
        more = len(problems) - MAX_LISTED_ERRORS
        if more > 0:
            listed += ngettext("; and {count} more row", "; and {count} more rows", more).format(count=more)
        raise InvalidInput({"file": listed}, message=ngettext(
            "Nothing was imported: {count} row needs correcting",
            "Nothing was imported: {count} rows need correcting", len(problems)).format(count=len(problems)))
    if not rows:
        raise InvalidInput({"file": _("The file has a header but no volunteers")})
    now = utcnow()
    consent = f"Imported by a council officer. Consent collected by the council: {consent_note}"
    for row in rows:
        volunteer = PanelVolunteer(panel_id=panel.id, source=VolunteerSource.IMPORT,
                                   consent_text=consent, consented_at=now, **row["contact"],
                                   profile=row["profile"])
        db.add(volunteer)
        db.flush()
        if row["special"]:
            db.add(PanelSpecialProfile(volunteer_id=volunteer.id, answers=row["special"],
                                       consent_text=consent, consented_at=now))
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.import", object_type="panel",
                 object_id=panel.id, rows=len(rows))
    return ImportResult(added=len(rows))


def _decode(content: bytes) -> str:
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput({"file": _("The file is larger than 5 MB: split it and import each part")})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": _("Save the file as CSV (UTF-8) and try again")}) from None


def _map_columns(panel: Panel, header: list[str]) -> dict:
    by_name: dict[str, PanelCategory] = {}
    for category in panel.categories:
        by_name[category.key.lower()] = category
        by_name[category.label.lower()] = category
    columns: dict = {"contact": {}, "categories": {}}
    unknown = []
    for index, name in enumerate(header):
        lowered = name.lower()
        if lowered in CONTACT_COLUMNS:
            columns["contact"][lowered] = index
        elif lowered in by_name:
            columns["categories"][index] = by_name[lowered]
        else:
            unknown.append(name or _("column {number}").format(number=index + 1))
    if unknown:
        known = ", ".join(c.key for c in panel.categories)
        raise InvalidInput({"file": _("These columns are not categories of this panel: {unknown}. Its "
                                      "categories are: {known} (and optional id, name, email, address, "
                                      "postcode, household)").format(unknown=", ".join(unknown),
                                                                              known=known)})
    if not columns["categories"]:
        raise InvalidInput({"file": _("The file has no column for any of the panel's categories")})
    return columns


def _cell(raw: list[str], index: int | None) -> str:
    return raw[index].strip() if index is not None and index < len(raw) else ""


def _import_row(columns: dict, raw: list[str], ids: set, emails: set) -> dict:
    contact_index = columns["contact"]
    external_id = _cell(raw, contact_index.get("id")) or None
    if external_id:
        if len(external_id) > 80:
            raise ValueError(_("id must be 80 characters or fewer"))
        if external_id in ids:
            raise ValueError(_("id {id} is already in the pool or earlier in the file").format(
                id=repr(external_id)))
        ids.add(external_id)
    email = _cell(raw, contact_index.get("email")) or None
    if email:
        try:
            email = check_email(email)
        except InvalidInput:
            raise ValueError(_("{email} is not an email address").format(email=repr(email))) from None
        if email in emails:
            raise ValueError(_("{email} is already in the pool or earlier in the file").format(email=email))
        emails.add(email)
    address, postcode = _cell(raw, contact_index.get("address")), _cell(raw, contact_index.get("postcode"))
    household = _cell(raw, contact_index.get("household")) or household_key(address, postcode)
    profile, special = {}, {}
    for index, category in columns["categories"].items():
        value = _cell(raw, index) or NOT_SAID
        allowed = {f.value.lower(): f.value for f in category.features}
        if value.lower() not in allowed:
            choices = ", ".join(f.value for f in category.features)
            raise ValueError(_("{category} {value} is not one of: {choices}").format(
                category=category.key, value=repr(value), choices=choices))
        if category.special and allowed[value.lower()] == NOT_SAID:
            continue  # not an answer: nothing special-category to keep
        (special if category.special else profile)[category.key] = allowed[value.lower()]
    name = _cell(raw, contact_index.get("name"))[:200]
    contact = {"external_id": external_id, "email": email, "name": name,
               "address": address[:300], "postcode": normalise_postcode(postcode)[:12],
               "household_key": (household or None) and household[:320]}
    return {"contact": contact, "profile": profile, "special": special}
