"""Pages the admin may edit: the accessibility statement and the privacy notice.

Until the admin saves one, the page is generated from settings (council name, contact, retention).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SitePage(Base):
    __tablename__ = "site_page"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)  # "accessibility", "privacy"
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
