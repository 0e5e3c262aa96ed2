"""Every email Chorus sends: rendered from templates, written to the outbox in the caller's
transaction and sent by a background job after commit.

Each email is two templates, `app/templates/emails/<name>.txt` (which also sets `subject`) and
`<name>.html` (extending `emails/_layout.html`), with the same content. Their sentences are marked
for the catalogue (`_()`, as in every page), and an email is rendered inside `i18n.use_locale`, so
it is written in the recipient's language, not the language of whoever's request sent it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from app import i18n
from app.job_queue import enqueue_after_commit
from app.models.base import DEFAULT_LANGUAGE, LANGUAGES, utcnow
from app.models.outbox import EmailStatus, OutboxEmail

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
SEND_JOB = "email.send_email"

_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"], default_for_string=True),  # .txt is plain text, never HTML
    undefined=StrictUndefined,  # a value the caller forgot fails in its test, not in someone's inbox
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates are read once per process (the signing path renders on every signature)
    extensions=["jinja2.ext.i18n"],
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def _paragraphs(text: str) -> Markup:
    """Plain text (a resident's or an officer's) as escaped HTML paragraphs, its line breaks kept."""
    blocks = [block.strip() for block in str(text).replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(  # nosec B704 - every piece escaped
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in block.split("\n")))
        for block in blocks if block
    )


def _link(url: str) -> Markup:
    """A link that shows its own address, as the text part does."""
    return Markup('<a href="{0}" style="color: #1d70b8;">{0}</a>').format(url)


def _translated(label: str) -> str:
    """A fixed label a caller passes as its English msgid (marked `N_` where it is defined), in the
    email's language. Never for what people typed: that is shown as written."""
    return i18n.gettext(label) if label else label


_env.filters["number"] = lambda value: f"{value:,}"
_env.filters["translated"] = _translated
_env.filters["paragraphs"] = _paragraphs
_env.globals["url"] = _link


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str  # the language it is written in


def render_email(template: str, /, *, language: str | None = None, **context) -> RenderedEmail:
    """The one way an email is written: `template`'s text and HTML templates with the same `context`,
    in `language` (the recipient's), or in the language of this request when none is given (someone
    asking for a link on a Welsh page gets it in Welsh). English for a language Chorus does not speak.
    An email to anyone but the person at the page must say its recipient's `language`."""
    if language is None:
        language = i18n.current_locale()
    written_in = language if language in LANGUAGES else DEFAULT_LANGUAGE
    with i18n.use_locale(written_in):
        module = _env.get_template(f"emails/{template}.txt").make_module(context)
        subject = " ".join(str(module.subject).split())[:300]
        html = _env.get_template(f"emails/{template}.html").render(
            context, subject=subject, language=written_in)
        text = str(module)
    return RenderedEmail(subject=subject, text=text, html=html, language=written_in)


def queue_email(db: Session, template: str, /, *, to: str, concerns: str = "",
                language: str | None = None, job: str = SEND_JOB, **context) -> int:
    """Render email `template` and write it to the outbox in this transaction; `job` sends it after commit.

    `concerns` ("petition:12", "consultation:3") lets retention purge it with what it is about;
    `language` is the recipient's (see render_email). Returns the outbox row's id.
    """
    return queue_rendered(db, render_email(template, language=language, **context), to=to, concerns=concerns,
                          job=job)


def queue_rendered(db: Session, email: RenderedEmail, *, to: str, concerns: str = "",
                   job: str = SEND_JOB) -> int:
    """Write an email already rendered by render_email to the outbox (one Core INSERT); `job`
    sends it after commit. queue_email is this with the rendering."""
    values = outbox_values(to=to, email=email, concerns=concerns)
    email_id = db.execute(insert(OutboxEmail).values(values).returning(OutboxEmail.id)).scalar_one()
    send_after_commit(db, email_id, job=job)
    return email_id


def outbox_values(*, to: str, email: RenderedEmail, concerns: str = "") -> dict:
    """The outbox row's columns, for queue_email and for an INSERT that writes the row itself
    (the petition signing path writes the signature and its email in one statement)."""
    return {"to_address": to, "subject": email.subject, "body_text": email.text, "body_html": email.html,
            "concerns": concerns, "status": EmailStatus.QUEUED.value, "attempts": 0, "last_error": "",
            "created_at": utcnow()}


def send_after_commit(db: Session, email_id: int, *, job: str = SEND_JOB) -> None:
    """Hand the email to `job` once the transaction commits (a rollback drops both)."""
    enqueue_after_commit(db, job, email_id)


def recent_emails(db: Session, limit: int = 50) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)))


def purge_concerning(db: Session, concerns: str) -> int:
    """Emails about something now anonymised: sent or failed ones go; queued ones still go out."""
    result = db.execute(delete(OutboxEmail).where(
        or_(OutboxEmail.concerns == concerns, OutboxEmail.concerns.startswith(f"{concerns}:")),
        OutboxEmail.status != EmailStatus.QUEUED))
    return result.rowcount or 0


def purge_outbox(db: Session, now: datetime, days: int) -> int:
    cutoff = now - timedelta(days=days)
    result = db.execute(delete(OutboxEmail).where(
        OutboxEmail.status != EmailStatus.QUEUED, OutboxEmail.created_at <= cutoff))
    return result.rowcount or 0
