"""Community organisations (unions, tenants, voluntary groups, providers) and the people they speak for."""

import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.i18n import N_, _
from app.models.base import Base, CreatedAtMixin, str_enum


class OrganisationType(enum.StrEnum):
    COUNCIL_SERVICE = "council_service"
    TRADE_UNION = "trade_union"
    VOLUNTARY = "voluntary_community"
    TENANTS = "tenants_residents"
    PRIVATE_PROVIDER = "private_provider"
    PUBLIC_BODY = "public_body"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(ORGANISATION_TYPE_LABELS[self])


ORGANISATION_TYPE_LABELS = {
    OrganisationType.COUNCIL_SERVICE: N_("Council service"),
    OrganisationType.TRADE_UNION: N_("Trade union"),
    OrganisationType.VOLUNTARY: N_("Voluntary or community organisation"),
    OrganisationType.TENANTS: N_("Tenants' or residents' association"),
    OrganisationType.PRIVATE_PROVIDER: N_("Private provider"),
    OrganisationType.PUBLIC_BODY: N_("Public body"),
    OrganisationType.OTHER: N_("Other"),
}


class Organisation(CreatedAtMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[OrganisationType] = mapped_column(str_enum(OrganisationType))
    description: Mapped[str] = mapped_column(Text, default="")
    speaks_for: Mapped[str] = mapped_column(String(300), default="")
