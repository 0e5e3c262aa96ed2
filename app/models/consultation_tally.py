"""Results tallies: counts folded in the background so results pages stay fast at any size.

A page reads the folded counts plus a live aggregate of the few responses recorded since the last
fold (response id > folded_up_to), so what it shows is always exact.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class ResultsTally(Base):
    __tablename__ = "consultation_tally"
    __table_args__ = (
        Index("uq_consultation_tally_key", "consultation_id", "dimension", "question_id", "key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(20))
    question_id: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(120), default="")
    count: Mapped[int] = mapped_column(default=0)


class ResultsMark(Base):
    """How far the tallies go: responses with id <= folded_up_to are counted in them."""

    __tablename__ = "consultation_tally_mark"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    folded_up_to: Mapped[int] = mapped_column(default=0)
    seen_max: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
