"""The accessibility statement and the privacy notice: generated from settings until the admin edits them.

A page's text is plain: a line starting with "## " is a heading, blank lines separate paragraphs,
lines starting with "- " are a list. It is rendered escaped (never as HTML), like every citizen's text.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.site_page import SitePage
from app.models.user import User
from app.services import audit, petitions
from app.services.privacy import retention

TITLES = {"accessibility": N_("Accessibility statement"), "privacy": N_("Privacy notice")}
MAX_BODY = 50_000


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PageText:
    slug: str
    title: str
    body: str
    edited: SitePage | None

    @property
    def blocks(self) -> list[Block]:
        return parse(self.body)


def parse(body: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip("\n").split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## "):
            blocks.append(Block("heading", (lines[0][3:].strip(),)))
            lines = lines[1:]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", (" ".join(line.strip() for line in lines),)))
    return blocks


def page(db: Session, slug: str, settings: Settings) -> PageText:
    if slug not in TITLES:
        raise NotFound()
    edited = db.get(SitePage, slug)
    body = edited.body if edited is not None else default_text(db, slug, settings)
    return PageText(slug, TITLES[slug], body, edited)


def save(db: Session, slug: str, body: str, admin: User) -> None:
    if slug not in TITLES:
        raise NotFound()
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput({"body": _("Write the {page}").format(page=_(TITLES[slug]).lower())})
    if len(body) > MAX_BODY:
        raise InvalidInput(
            {"body": _("The text must be {limit} characters or fewer").format(limit=f"{MAX_BODY:,}")})
    row = db.get(SitePage, slug)
    if row is None:
        row = SitePage(slug=slug, body=body, updated_at=utcnow(), updated_by_id=admin.id)
        db.add(row)
    else:
        row.body, row.updated_at, row.updated_by_id = body, utcnow(), admin.id
    audit.record(db, actor_id=admin.id, action="site_page.update", object_type="site_page", object_id=None,
                 slug=slug)
    db.flush()


def reset(db: Session, slug: str, admin: User) -> None:
    """Go back to the text generated from settings."""
    row = db.get(SitePage, slug)
    if row is not None:
        db.delete(row)
        audit.record(db, actor_id=admin.id, action="site_page.reset", object_type="site_page", object_id=None,
                     slug=slug)
        db.flush()


def default_text(db: Session, slug: str, settings: Settings) -> str:
    council, contact = settings.council_name, settings.council_contact_email
    if slug == "accessibility":
        return _(ACCESSIBILITY).format(council=council, contact=contact)
    petition_days = petitions.current_settings(db).anonymise_after_days
    periods = retention.Periods.of(settings)  # the same settings the retention job uses
    return _(PRIVACY).format(council=council, contact=contact, petition_days=petition_days,
                          idle=settings.session_idle_minutes, absolute=settings.session_absolute_hours,
                          answers_period=periods.response_wording, outbox_days=periods.outbox_days)


ACCESSIBILITY = N_("""This statement applies to {council}'s consultation website, run on Chorus.

We want as many people as possible to be able to use it. You should be able to:

- use every page with a keyboard alone
- listen to it using a screen reader: every form field has a label and every error is linked to its field
- use it on a phone as well as on a computer
- use it without JavaScript: every form and link works without it

## How accessible this website is

We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page is
checked automatically with axe-core, at phone and desktop sizes, each time the software changes.
Automated checks do not find every problem, so some parts may still be hard to use. If you find one,
please tell us.

## What to do if you cannot use part of this website

If you need information in a different format, such as large print, easy read, an audio recording or
braille, or you want to answer a consultation by phone or on paper, email {contact}.

## Reporting accessibility problems

We are always looking to improve. If you find a problem not listed here, or think we are not meeting
accessibility requirements, email {contact}.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) enforces the Public Sector Bodies (Websites and
Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with how we
respond to your complaint, contact the Equality Advisory and Support Service (EASS).""")

PRIVACY = N_("""\
{council} is the data controller for the personal data this website collects. Contact us about your
data at {contact}.

## Answering a consultation

You do not need to give your name. Each consultation says, before you start, what is kept, for how
long and who reads it. The optional questions about you (such as age or ethnicity) are stored apart
from your answers and are used only to check the council has heard from everyone. Answers you save
but do not send are deleted when the consultation closes. Published results never name you.
{answers_period} after the review a consultation belongs to ends (or, for a consultation that is
not part of a review, {answers_period} after it closes), your answers are deleted: what you wrote is
removed from the council's records and from every published quote, and only counts and charts stay.

## Signing a petition

We ask for your name, email address and postcode to check each person signs once. Your name and
email address are removed {petition_days} days after the petition closes; the count of signatures
stays.

## Joining the citizens' panel

We keep the contact details and answers you give when you join, so that panels can be drawn fairly.
You can update them, or leave, at any time with the link we email you; leaving deletes your details.

## Forums

Posts in public forums can be read by anyone. Posts in anonymous forums are stored without who wrote
them.

## Email

If you ask us to email you (a link to finish your answers, results of a consultation, petition
updates), we use your address only for that. If you asked to hear about a consultation's results,
your address is deleted once we have told you. Copies of the emails we send are deleted
{outbox_days} days after sending, or sooner, when the answers or petition they are about are deleted.

## Cookies

We use only cookies the website needs to work: one that protects forms from forgery, and, for
council staff and organisations who sign in, one that keeps them signed in (it ends after {idle}
minutes without activity, and after {absolute} hours at most). We do not use analytics or
advertising cookies.

## Your rights

You can ask for a copy of the personal data we hold about you, ask us to correct or delete it, or
object to how we use it: email {contact}. If you are unhappy with how we handle your data, you can
complain to the Information Commissioner's Office (ico.org.uk).""")
