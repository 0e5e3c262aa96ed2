"""Consultations: an officer-built survey for one review, and the questions residents answer."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n import N_, _
from app.models.base import DEFAULT_LANGUAGE, Base, CreatedAtMixin, str_enum
from app.models.bilingual import Bilingual
from app.models.review import Review


class ConsultationState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Audience(enum.StrEnum):
    ANYONE = "anyone"
    PANEL = "panel"
    ORGANISATIONS = "organisations"

    @property
    def label(self) -> str:
        return _(AUDIENCE_LABELS[self])


AUDIENCE_LABELS = {
    Audience.ANYONE: N_("Anyone (a public link)"),
    Audience.PANEL: N_("Citizens' panel members only (by invitation link)"),
    Audience.ORGANISATIONS: N_("Named organisations only (by invitation link)"),
}


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    RANKING = "ranking"
    # "Which of these matter most to you?": the review's indicators ranked (up to three) and/or a
    # suggestion; answers count as support for the review's indicators (decision 0103).
    INDICATORS = "indicators"

    @property
    def label(self) -> str:
        return _(QUESTION_KIND_LABELS[self])

    @property
    def has_options(self) -> bool:
        return self not in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)

    @property
    def is_text(self) -> bool:
        return not self.has_options

    @property
    def is_choice(self) -> bool:
        """One or several of the options (what a question can be shown only after, in rules)."""
        return self in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: N_("Short text (one line)"),
    QuestionKind.LONG_TEXT: N_("Long text (paragraphs)"),
    QuestionKind.SINGLE_CHOICE: N_("Single choice (radios)"),
    QuestionKind.MULTIPLE_CHOICE: N_("Multiple choice (checkboxes)"),
    QuestionKind.RATING: N_("Rating scale (lowest to highest)"),
    QuestionKind.RANKING: N_("Ranking of priorities"),
    QuestionKind.INDICATORS: N_("Which of these matter most to you? (the review's indicators, ranked, "
                             "with suggestions)"),
}


class RespondentType(enum.StrEnum):
    RESIDENT = "resident"
    SERVICE_USER = "service_user"
    CARER = "carer"
    STAFF = "staff"
    ORGANISATION = "organisation"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(RESPONDENT_TYPE_LABELS[self])


RESPONDENT_TYPE_LABELS = {
    RespondentType.RESIDENT: N_("A resident"),
    RespondentType.SERVICE_USER: N_("Someone who uses the service"),
    RespondentType.CARER: N_("A carer or family member of someone who uses the service"),
    RespondentType.STAFF: N_("A member of staff"),
    RespondentType.ORGANISATION: N_("Responding on behalf of an organisation"),
    RespondentType.OTHER: N_("Other"),
}


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    PHONE = "phone"
    FOCUS_GROUP = "focus_group"
    API = "api"

    @property
    def label(self) -> str:
        return _(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.ONLINE: N_("Online"),
    Channel.PAPER: N_("Paper form"),
    Channel.PHONE: N_("Phone interview"),
    Channel.FOCUS_GROUP: N_("Focus group"),
    Channel.API: N_("Another system (API)"),
}

DEFAULT_CONFIDENTIALITY = N_(
    "We keep your answers for 2 years after the review ends, then delete them. Council officers "
    "working on this review read them. Published results never name you. The optional 'about you' "
    "questions are kept apart from your answers and only used to check we have heard from everyone."
)


class Consultation(Bilingual, CreatedAtMixin, Base):
    __tablename__ = "consultation"
    WELSH_FIELDS = ("title", "summary", "confidentiality", "you_said_we_did")
    DEFAULT_TEXTS = {"confidentiality": DEFAULT_CONFIDENTIALITY}  # Chorus's words: in the catalogue

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a stand-alone consultation, not part of any review.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[str] = mapped_column(Text, default=DEFAULT_CONFIDENTIALITY)
    state: Mapped[ConsultationState] = mapped_column(
        str_enum(ConsultationState), default=ConsultationState.DRAFT, index=True
    )
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.ANYONE)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    about_you_enabled: Mapped[bool] = mapped_column(default=True)
    you_said_we_did: Mapped[str] = mapped_column(Text, default="")
    # Counts saves of the Welsh version: the answering journey's cached questions are keyed by it.
    welsh_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by the retention job (services/retention.py) when the answers were irreversibly anonymised.
    answers_deleted_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    review: Mapped[Review | None] = relationship(lazy="raise")
    questions: Mapped[list["Question"]] = relationship(
        lazy="raise", order_by="(Question.page, Question.position, Question.id)",
        back_populates="consultation", cascade="all, delete-orphan", passive_deletes=True,
    )
    questionnaires: Mapped[list["Questionnaire"]] = relationship(
        lazy="raise", order_by="Questionnaire.id", cascade="all, delete-orphan", passive_deletes=True
    )
    documents: Mapped[list["ConsultationDocument"]] = relationship(
        lazy="raise", order_by="ConsultationDocument.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_draft(self) -> bool:
        return self.state == ConsultationState.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == ConsultationState.OPEN

    @property
    def is_published(self) -> bool:
        return self.state == ConsultationState.PUBLISHED

    @property
    def is_for_anyone(self) -> bool:
        return self.audience == Audience.ANYONE

    @property
    def is_for_organisations(self) -> bool:
        return self.audience == Audience.ORGANISATIONS


class Questionnaire(Bilingual, CreatedAtMixin, Base):
    """A set of questions for some respondent types only (chosen at the start of the journey)."""

    __tablename__ = "consultation_questionnaire"
    WELSH_FIELDS = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    respondent_types: Mapped[list] = mapped_column(JSON, default=list)


class Question(Bilingual, Base):
    __tablename__ = "consultation_question"
    WELSH_FIELDS = ("text", "hint", "options")

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questionnaire.id", ondelete="CASCADE"), index=True
    )
    page: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(500))
    hint: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    max_length: Mapped[int | None]
    options: Mapped[list] = mapped_column(JSON, default=list)
    show_if_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_question.id", ondelete="SET NULL")
    )
    show_if_value: Mapped[str] = mapped_column(String(200), default="")

    consultation: Mapped[Consultation] = relationship(lazy="raise", back_populates="questions")

    @property
    def field(self) -> str:
        return f"q{self.id}"

    @property
    def limit(self) -> int:
        default = 200 if self.kind == QuestionKind.SHORT_TEXT else 2000
        return self.max_length or default


class ConsultationDocument(Bilingual, CreatedAtMixin, Base):
    """A PDF stored under settings.upload_dir with a random name; served as an attachment."""

    __tablename__ = "consultation_document"
    WELSH_FIELDS = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size_bytes: Mapped[int]


class ConsultationInvitation(CreatedAtMixin, Base):
    """A single-use link for a panel member or a named organisation."""

    __tablename__ = "consultation_invitation"
    __table_args__ = (Index("ix_consultation_invitation_consultation_email", "consultation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10), default=DEFAULT_LANGUAGE)  # the email language
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
