"""Welsh versions of what officers write for the public (issue 28; decision 0107).

One page per consultation, petition or review lists every text people will read there, its English
beside a box for its Welsh, and says which still have none. English stays the text of record (an
option's stored value is its English), so writing or changing Welsh never changes an answer.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput
from app.i18n import _
from app.models.bilingual import Bilingual
from app.models.consultation import Consultation, ConsultationDocument, Question, Questionnaire
from app.models.finding import ConsultationOutcome, Finding
from app.models.panel import Panel, PanelCategory
from app.models.petition import Petition
from app.models.review import Review
from app.services import audit

SHORT_LIMIT = 600  # titles and options: room for Welsh, which runs longer than English
LONG_LIMIT = 20_000


@dataclass(frozen=True)
class WelshText:
    key: str  # the form field
    label: str  # what it is, for the officer
    english: str
    welsh: str
    record: Bilingual
    field: str
    option_index: int | None = None  # an option of a question, by its place
    value_key: str | None = None  # an answer of a panel's profile question, by its stored value
    long: bool = False

    @property
    def missing(self) -> bool:
        return bool(self.english.strip()) and not self.welsh.strip()


def _fields(record: Bilingual, prefix: str, labels: Mapping[str, str], long_fields=()) -> list[WelshText]:
    key = f"{record.__tablename__}-{record.id}"
    texts = []
    for field, label in labels.items():
        english = getattr(record, field) or ""
        if field == "options":
            welsh = (record.welsh or {}).get("options") or []
            for i, option in enumerate(record.options or []):
                option_label = _("%(what)s: option %(number)s") % {"what": prefix, "number": i + 1}
                typed = welsh[i] if i < len(welsh) and isinstance(welsh[i], str) else ""
                texts.append(WelshText(f"{key}-options-{i}", option_label, option, typed, record, "options",
                                       option_index=i))
        elif english.strip() and not record.is_default_text(field):
            texts.append(WelshText(f"{key}-{field}", f"{prefix}: {label}" if prefix else label, english,
                                   record.welsh_text(field), record, field, long=field in long_fields))
    return texts


def consultation_texts(db: Session, consultation: Consultation) -> list[WelshText]:
    texts = _fields(consultation, "", {"title": _("Title"), "summary": _("Summary"),
                                       "confidentiality": _("How answers are used and kept"),
                                       "you_said_we_did": _("You said, we did")},
                    long_fields=("summary", "confidentiality", "you_said_we_did"))
    for questionnaire in db.scalars(select(Questionnaire).where(
            Questionnaire.consultation_id == consultation.id).order_by(Questionnaire.id)):
        texts += _fields(questionnaire, _("Question set"), {"title": _("title")})
    questions = db.scalars(select(Question).where(Question.consultation_id == consultation.id)
                           .order_by(Question.page, Question.position, Question.id)).all()
    for number, question in enumerate(questions, start=1):
        name = _("Question %(number)s") % {"number": number}
        texts += _fields(question, name, {"text": _("question"), "hint": _("hint"), "options": ""},
                         long_fields=("hint",))
    for document in db.scalars(select(ConsultationDocument).where(
            ConsultationDocument.consultation_id == consultation.id).order_by(ConsultationDocument.id)):
        texts += _fields(document, _("Document"), {"title": _("title")})
    outcome = db.scalar(select(ConsultationOutcome).where(
        ConsultationOutcome.consultation_id == consultation.id))
    if outcome is not None:
        texts += _fields(outcome, _("Decision"), {"decision": _("what was decided"),
                                                  "what_happened": _("what happened")},
                         long_fields=("decision", "what_happened"))
    return texts


def petition_texts(petition: Petition) -> list[WelshText]:
    return _fields(petition, "", {"response_text": _("The council’s response"),
                                  "debate_outcome": _("The outcome of the debate")},
                   long_fields=("response_text", "debate_outcome"))


def review_texts(db: Session, review: Review) -> list[WelshText]:
    texts = _fields(review, "", {"title": _("Title"), "service": _("Service"), "summary": _("Summary"),
                                 "scope": _("Scope"), "decision": _("The council’s decision")},
                    long_fields=("summary", "scope", "decision"))
    findings = db.scalars(select(Finding).where(Finding.review_id == review.id).order_by(Finding.id)).all()
    for number, finding in enumerate(findings, start=1):
        texts += _fields(finding, _("Finding %(number)s") % {"number": number}, {"statement": _("statement")},
                         long_fields=("statement",))
    return texts


def panel_texts(db: Session, panel: Panel) -> list[WelshText]:
    texts = _fields(panel, "", {"name": _("Name"), "description": _("Description"),
                                "special_consent_text": _("Agreement for the sensitive questions")},
                    long_fields=("description", "special_consent_text"))
    categories = db.scalars(select(PanelCategory).where(PanelCategory.panel_id == panel.id)
                            .options(selectinload(PanelCategory.features))
                            .order_by(PanelCategory.position, PanelCategory.id)).all()
    for category in categories:
        prefix = _("About you: %(question)s") % {"question": category.label}
        texts += _fields(category, prefix, {"label": _("question"), "hint": _("hint")})
        welsh = (category.welsh or {}).get("values") or {}
        for feature in category.features:
            label = _("%(what)s: answer “%(answer)s”") % {"what": prefix, "answer": feature.value}
            texts.append(WelshText(f"panel_category-{category.id}-value-{feature.id}", label, feature.value,
                                   welsh.get(feature.value, ""), category, "values", value_key=feature.value))
    return texts


def save(db: Session, texts: list[WelshText], form: Mapping[str, str], *, actor_id: int | None,
         subject: Bilingual) -> int:
    """Store the Welsh typed for each text (blank removes it). Returns how many changed."""
    errors = {}
    for text in texts:
        limit = LONG_LIMIT if text.long else SHORT_LIMIT
        if len(form.get(text.key, "").strip()) > limit:
            errors[text.key] = _("Enter Welsh of %(limit)s characters or fewer") % {"limit": f"{limit:,}"}
    if errors:
        raise InvalidInput(errors)
    changed = 0
    for text in texts:
        value = " ".join(form.get(text.key, "").split()) if not text.long else form.get(text.key, "").strip()
        if value != text.welsh:
            _store(text, value)
            changed += 1
    if changed:
        if isinstance(subject, Consultation):
            subject.welsh_revision = (subject.welsh_revision or 0) + 1
        audit.record(db, actor_id=actor_id, action="welsh.saved", object_type=subject.__tablename__,
                     object_id=subject.id, changed=changed)
    return changed


def _store(text: WelshText, value: str) -> None:
    welsh = dict(text.record.welsh or {})  # a new dict, so the JSON column sees the change
    if text.value_key is not None:
        values = dict(welsh.get("values") or {})
        if value:
            values[text.value_key] = value
        else:
            values.pop(text.value_key, None)
        welsh["values"] = values
    elif text.option_index is None:
        if value:
            welsh[text.field] = value
        else:
            welsh.pop(text.field, None)
    else:
        options = list(welsh.get("options") or [])
        options += [""] * (len(text.record.options or []) - len(options))
        options[text.option_index] = value
        welsh["options"] = options
    text.record.welsh = welsh
