"""What people said: responses, their answers, equalities answers kept apart, and drafts.

Answers are normalised for aggregation: one row per free-text or single answer, one row per
chosen option (multiple choice) and one row per ranked item (ranking). `option_index` and
`number` make every chart an index-only GROUP BY on both databases.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, str_enum
from app.models.consultation import Channel, RespondentType


class Response(Base):
    __tablename__ = "consultation_response"
    __table_args__ = (
        Index("ix_consultation_response_consultation_submitted", "consultation_id", "submitted_at"),
        Index("ix_consultation_response_consultation_type", "consultation_id", "respondent_type",
              "channel", "is_panel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questionnaire.id", ondelete="SET NULL")
    )
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    respondent_type: Mapped[RespondentType] = mapped_column(str_enum(RespondentType))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.ONLINE)
    is_panel: Mapped[bool] = mapped_column(default=False)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_invitation.id", ondelete="SET NULL")
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime]

    answers: Mapped[list["Answer"]] = relationship(lazy="raise", passive_deletes=True)


class Answer(Base):
    __tablename__ = "consultation_answer"
    __table_args__ = (
        Index("ix_consultation_answer_question_option", "question_id", "option_index", "number"),
        Index("ix_consultation_answer_question_response", "question_id", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("consultation_question.id", ondelete="CASCADE"))
    value_text: Mapped[str] = mapped_column(Text, default="")
    option_index: Mapped[int | None]
    number: Mapped[int | None]


class EqualitiesAnswer(Base):
    """Special-category data: never joined into answers or quotes; deleted with its response."""

    __tablename__ = "consultation_equalities_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"), unique=True
    )
    age_band: Mapped[str] = mapped_column(String(40), default="")
    sex: Mapped[str] = mapped_column(String(40), default="")
    gender_identity: Mapped[str] = mapped_column(String(80), default="", server_default="")
    disability: Mapped[str] = mapped_column(String(40), default="")
    ethnicity: Mapped[str] = mapped_column(String(80), default="")
    ward: Mapped[str] = mapped_column(String(80), default="")


class Draft(CreatedAtMixin, Base):
    """A resident's answers so far, found by a random token whose hash is stored."""

    __tablename__ = "consultation_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    respondent_type: Mapped[str] = mapped_column(String(40), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    about_you: Mapped[dict] = mapped_column(JSON, default=dict)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_invitation.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime]


class ApiToken(CreatedAtMixin, Base):
    """A staff token for other channels posting responses through the JSON API (stored hashed)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    created_by = relationship("User", lazy="raise")


__all__ = ["Answer", "ApiToken", "Draft", "EqualitiesAnswer", "Response"]
