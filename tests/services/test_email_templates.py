"""Every email Chorus sends: rendered from its text and HTML templates with real values, the same
words in both parts, user text escaped in HTML, in Welsh for a Welsh reader (from the catalogue), and sent as
multipart/alternative."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from app import i18n
from app.jobs.email import deliver
from app.models.outbox import EmailStatus, OutboxEmail
from app.models.petition import PetitionSignature
from app.services.email import TEMPLATE_DIR, queue_email, render_email
from tests.services import test_petitions_factories as make
from tests.smtp import html_part, plain_text, smtp_server  # noqa: F401 - fixture

LINK = "https://consult.riverside.example/petitions/signatures/k3JzR1b2w9XyPq"
TITLE = "Keep Riverside library open on Sundays"
ANSWER = (
    "The council will keep Riverside library open on Sunday afternoons from April.\n\n"
    "Opening will be reviewed after a year, with footfall counts published each quarter."
)

# Real values for every email (a new email fails test_every_template_has_real_values until added).
EMAILS: dict[str, dict] = {
    "petition_confirm_signature": {"name": "Ada Resident", "title": TITLE, "link": LINK, "hours": 72},
    "petition_confirm_start": {"name": "Ada Resident", "title": TITLE, "link": LINK, "hours": 72},
    "petition_already_signed": {"name": "Ada Resident", "title": TITLE, "link": LINK},
    "petition_share": {"name": "Ada Resident", "title": TITLE, "link": LINK},
    "petition_published": {"name": "Ada Resident", "title": TITLE, "link": LINK},
    "petition_not_published": {
        "name": "Ada Resident",
        "title": TITLE,
        "reason_label": "Duplicate",
        "reason": "There is already a petition asking for the same thing.",
        "duplicate_link": "https://consult.riverside.example/petitions/4",
    },
    "petition_awaits_moderation": {"name": "Tom Officer", "title": TITLE, "link": LINK},
    "petition_threshold_officers": {
        "name": "Tom Officer",
        "title": TITLE,
        "kind": "debate",
        "threshold": 5000,
        "count": 5012,
        "link": LINK,
    },
    "petition_threshold_signers": {
        "name": "Ada Resident",
        "title": TITLE,
        "kind": "response",
        "threshold": 500,
        "link": LINK,
    },
    "petition_answered": {
        "name": "Ada Resident",
        "title": TITLE,
        "kind": "response",
        "answer": ANSWER,
        "link": LINK,
    },
    "forum_digest": {
        "sections": [
            {
                "title": "Parking on Mill Lane",
                "count": 2,
                "link": "https://consult.riverside.example/forums/1/threads/3",
                "excerpts": ["Vans park on the pavement every morning.", "A residents' scheme would help."],
            },
            {
                "title": "Library hours",
                "count": 1,
                "link": "https://consult.riverside.example/forums/1/threads/4",
                "excerpts": ["Sunday afternoons, please."],
            },
        ]
    },
    "forum_member_invitation": {
        "inviter": "Priya Shah",
        "organisation": "Riverside Tenants' Association",
        "link": LINK,
    },
    "results_published": {
        "title": TITLE,
        "link": LINK,
        "unsubscribe": "https://consult.riverside.example/unsubscribe/ab12/cd34",
    },
    "panel_joined": {"name": "Ada Resident", "panel": "Riverside People's Panel", "link": LINK},
    "panel_details": {
        "name": "Ada Resident",
        "panel": "Riverside People's Panel",
        "already_joined": True,
        "link": LINK,
    },
    "panel_chosen": {
        "name": "Ada Resident",
        "panel": "Riverside People's Panel",
        "purpose": "Citizens' jury on the town centre",
        "link": LINK,
        "manage": "https://consult.riverside.example/panels/manage/x9",
    },
    "panel_outreach_invitation": {
        "name": "Maureen Kelly",
        "organisation": "Riverside Carers' Network",
        "panel": "Riverside People's Panel",
        "link": LINK,
        "note": "For the June newsletter",
    },
    "password_reset": {"email": "tom@riverside.example", "link": LINK},
    "staff_invitation": {"inviter": "Sam Admin", "role": "Officer", "link": LINK},
    "consultation_invitation": {
        "inviter": "Tom Officer",
        "council": "Riverside Council",
        "title": TITLE,
        "link": LINK,
    },
    "consultation_receipt": {
        "title": TITLE,
        "reference": "RIV-7K2M",
        "link": LINK,
        "answers": [
            (
                "What would make the library better for you?",
                "Open on Sundays so that working parents can come.\n\nAnd a quiet room.",
            ),
            ("Which branch do you use?", "Riverside"),
        ],
    },
    "consultation_resume_link": {"title": TITLE, "link": LINK},
    "resident_sign_in_link": {"minutes": 30, "link": "https://consult.riverside.example/sign-in/email/Zq81"},
    "resident_sign_in_staff": {"link": "https://consult.riverside.example/sign-in"},
    "resident_sign_in_suspended": {},
    "petition_followed": {
        "name": "Ada Resident",
        "title": TITLE,
        "news": "petition_answered",
        "kind": "debate",
        "answer": ANSWER,
        "link": LINK,
        "my_chorus": "https://consult.riverside.example/my-chorus",
    },
}


def template_names() -> set[str]:
    return {path.stem for path in (TEMPLATE_DIR / "emails").glob("*.txt")}


NAMES = sorted(template_names())


class _VisibleText(HTMLParser):
    """The words a reader sees in the HTML part (not the head's title or style)."""

    def __init__(self):
        super().__init__()
        self.words, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("head", "style", "title")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("head", "style", "title")

    def handle_data(self, data):
        if not self._hidden:
            self.words.append(data)


def visible_words(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.words).split())


def text_words(text: str) -> str:
    text = re.sub(r"(?m)^-{3,}$", "", text)  # a rule between languages is <hr> in HTML
    return " ".join(re.sub(r"(?m)^\s*- ", "", text).split())  # list markers are <li> in HTML


def test_every_template_has_real_values_and_both_parts():
    assert NAMES and not set(NAMES) - set(EMAILS), "add real values for each new email to EMAILS"
    for name in NAMES:
        assert (TEMPLATE_DIR / "emails" / f"{name}.html").exists(), name


def test_every_email_the_code_sends_has_its_templates():
    root = Path(__file__).resolve().parents[2] / "app"
    call = re.compile(
        r"(?:queue_email|render_email|_email_creator|_notify_officers|notify_signers)\("
        r'(?:\s*[\w.]+,)*\s*"(\w+)"'
    )
    used = set()
    for path in root.rglob("*.py"):
        source = path.read_text()
        used |= set(call.findall(source)) | set(re.findall(r'"(petition_confirm_\w+)"', source))
    assert len(used) >= 10, "no calls found: has queue_email changed shape?"
    assert used <= template_names(), used - template_names()


@pytest.mark.parametrize("name", NAMES)
def test_each_email_renders_the_same_words_as_text_and_html(name):
    email = render_email(name, **EMAILS[name])
    assert email.subject and "\n" not in email.subject and len(email.subject) <= 300
    assert email.text.strip() and "{{" not in email.text and "{%" not in email.text
    assert email.html.startswith("<!DOCTYPE html>") and '<html lang="en">' in email.html
    assert f"<title>{email.subject}</title>".replace("'", "&#39;") in email.html
    assert text_words(email.text) == visible_words(email.html)
    for url in re.findall(r"https://\S+", email.text):  # every link in the text is a link in the HTML
        assert f'href="{url}"' in email.html


def test_values_are_what_the_text_says():
    email = render_email("petition_confirm_signature", **EMAILS["petition_confirm_signature"])
    assert email.subject == f"Confirm your signature on “{TITLE}”"
    assert email.text.startswith("Dear Ada Resident,\n\nThank you for signing")
    assert f"\n\n{LINK}\n\nThe link works once and expires in 72 hours.\n" in email.text
    threshold = render_email("petition_threshold_officers", **EMAILS["petition_threshold_officers"])
    assert "has 5,012 signatures: it must be debated at full council." in threshold.text
    assert threshold.subject == f"Petition has reached 5,000 signatures: “{TITLE}”"
    receipt = render_email("consultation_receipt", **EMAILS["consultation_receipt"])
    assert "Which branch do you use?\nRiverside\n" in receipt.text
    assert (
        "<p>Open on Sundays so that working parents can come.</p>\n<p>And a quiet room.</p>" in receipt.html
    )
    assert (
        render_email("petition_not_published", **EMAILS["petition_not_published"] | {"duplicate_link": None})
        .text.rstrip()
        .endswith("There is already a petition asking for the same thing.")
    )


def test_a_missing_value_fails_rather_than_sending_a_gap():
    values = dict(EMAILS["password_reset"])
    del values["link"]
    with pytest.raises(Exception, match="link"):
        render_email("password_reset", **values)


def test_html_escapes_what_people_typed_and_the_text_keeps_it():
    hostile = 'Close <script>alert("x")</script> & <a href="https://evil.example">this</a>'
    email = render_email(
        "petition_answered",
        name="<b>Eve</b>",
        title=hostile,
        kind="debate",
        answer="<img src=x onerror=alert(1)>\n\nSecond paragraph",
        link=LINK,
    )
    assert "<script>" not in email.html and "<img" not in email.html and 'evil.example">' not in email.html
    assert "&lt;script&gt;" in email.html and "&lt;b&gt;Eve&lt;/b&gt;" in email.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in email.html
    assert f"“{hostile}”" in email.subject and "<b>Eve</b>" in email.text and "<img src=x" in email.text
    assert text_words(email.text) == visible_words(email.html)


def test_welsh_for_a_welsh_reader_and_english_otherwise():
    welsh = render_email("results_published", language="cy", **EMAILS["results_published"])
    assert welsh.language == "cy" and welsh.subject == f"Canlyniadau wedi’u cyhoeddi: {TITLE}"
    assert '<html lang="cy">' in welsh.html and "Gweld y canlyniadau" in welsh.text
    assert text_words(welsh.text) == visible_words(welsh.html)
    reset = render_email("password_reset", language="cy", **EMAILS["password_reset"])
    assert reset.language == "cy" and reset.subject == "Ailosod eich cyfrinair Chorus"
    assert render_email("password_reset", language="xx", **EMAILS["password_reset"]).language == "en"
    assert render_email("password_reset", language="en", **EMAILS["password_reset"]).subject == (
        "Reset your Chorus password")


def test_with_no_language_given_an_email_is_in_the_language_of_the_request():
    with i18n.use_locale("cy"):
        asked_on_a_welsh_page = render_email("resident_sign_in_link", **EMAILS["resident_sign_in_link"])
        for_an_english_reader = render_email("resident_sign_in_link", language="en",
                                             **EMAILS["resident_sign_in_link"])
    assert asked_on_a_welsh_page.language == "cy"
    assert asked_on_a_welsh_page.subject == "Eich dolen i fewngofnodi i Chorus"
    assert "am 30 munud" in asked_on_a_welsh_page.text
    assert for_an_english_reader.subject == "Your link to sign in to Chorus"
    assert render_email("resident_sign_in_link", **EMAILS["resident_sign_in_link"]).language == "en"


def _values(context) -> list[str]:
    """Every value an email is given, as it may appear in it (what people typed stays as typed)."""
    if isinstance(context, dict):
        return [value for item in context.values() for value in _values(item)]
    if isinstance(context, (list, tuple)):
        return [value for item in context for value in _values(item)]
    if isinstance(context, int) and not isinstance(context, bool):
        return [f"{context:,}", str(context)]
    return [context, *context.splitlines()] if isinstance(context, str) else []


WELSH_WORDS = re.compile(r"\b(eich|mae|mae’r|yr|yn|ac|am|Annwyl|Rydych|Gofynnodd|Diolch|hwn|hon)\b")


@pytest.mark.parametrize("name", NAMES)
def test_each_email_is_written_in_welsh_with_no_english_sentence_left(name):
    english = render_email(name, **EMAILS[name])
    welsh = render_email(name, language="cy", **EMAILS[name])
    assert welsh.language == "cy" and '<html lang="cy">' in welsh.html and 'lang="cy"' in welsh.html
    assert welsh.subject != english.subject and welsh.text != english.text
    assert WELSH_WORDS.search(welsh.text), welsh.text
    assert text_words(welsh.text) == visible_words(welsh.html)
    values = sorted(_values(EMAILS[name]), key=len, reverse=True)
    for line in set(english.text.splitlines()) & set(welsh.text.splitlines()):
        for value in values:
            line = line.replace(value, "")
        assert not re.search(r"[A-Za-z]{2,}", line), f"English left in the Welsh {name}: {line!r}"


def test_translations_live_in_the_catalogue_not_in_copies_of_templates():
    assert not [path for path in (TEMPLATE_DIR / "emails").iterdir() if path.is_dir()]


def test_the_outbox_keeps_both_parts(db):
    email_id = queue_email(
        db,
        "consultation_resume_link",
        to="ada@example.org",
        concerns="consultation:1",
        **EMAILS["consultation_resume_link"],
    )
    row = db.get(OutboxEmail, email_id)
    assert row.status == EmailStatus.QUEUED and row.concerns == "consultation:1"
    assert row.subject == f"Finish your answers: {TITLE}"
    assert LINK in row.body_text and f'href="{LINK}"' in row.body_html


def test_a_signature_writes_both_parts_in_its_one_statement(db):
    """The signing path writes the signature and its email in one INSERT on PostgreSQL, and in two
    on SQLite; either way the outbox row has the text and the HTML."""
    target = make.petition(db, title="Fix the <broken> lights on Mill Lane")
    make.signed(db, target, "ada@example.org")
    row = db.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.org"))
    assert row.concerns == f"petition:{target.id}" and row.status == EmailStatus.QUEUED
    assert "Fix the <broken> lights" in row.body_text and "Fix the &lt;broken&gt; lights" in row.body_html
    link = re.search(r"https?://\S+/petitions/signatures/\S+", row.body_text).group(0)
    assert f'href="{link}"' in row.body_html
    assert db.scalar(select(PetitionSignature.id).where(PetitionSignature.email == "ada@example.org"))


def test_the_sender_sends_text_and_html_as_alternatives(smtp_server):  # noqa: F811
    rendered = render_email("petition_answered", **EMAILS["petition_answered"])
    deliver(
        OutboxEmail(
            to_address="ada@example.org",
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
        )
    )
    [message] = smtp_server.to("ada@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == f"The council has responded to “{TITLE}”"
    assert plain_text(message).replace("\r\n", "\n") == rendered.text
    assert html_part(message).replace("\r\n", "\n") == rendered.html


def test_an_email_written_before_html_parts_goes_as_plain_text(smtp_server):  # noqa: F811
    deliver(
        OutboxEmail(
            to_address="old@example.org",
            subject="Reset your Chorus password",
            body_text="Choose a new password here.\n",
            body_html="",
        )
    )
    [message] = smtp_server.to("old@example.org")
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == "Choose a new password here.\n"
