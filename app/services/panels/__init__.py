"""Citizens' panels: the panel, the profile categories the council asks about, and lookups.

Split by intent: panels_pool (joining, updating, leaving, CSV import), panels_targets
(quotas), panels_draws (the draw job and replacements), panels_invitations, panels_report.
"""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.panel import NOT_SAID, Panel, PanelCategory, PanelFeature, PanelVolunteer
from app.services import audit, equalities

CONSENT_TEXT = (
    "I agree that {council} keeps my name, contact details and the answers above so that it "
    "can invite me to take part in citizens' panel exercises, and tell me what came of each one I "
    "am invited to. I may be chosen at random, "
    "weighted so that panels reflect the borough. I can update my details or leave at any "
    "time from the link in every email, and leaving deletes my profile."
)
SPECIAL_CONSENT_TEXT = (
    "I agree that {council} keeps my answers to these questions, which are special-category "
    "personal data, apart from my other details, only to make panels representative and to "
    "check who is being heard. They are never shown next to my name in results."
)


@dataclass(frozen=True)
class CategorySpec:
    key: str
    label: str
    options: tuple[str, ...]
    hint: str = ""
    special: bool = False
    service_user: bool = False


# The harmonised equalities questions (app/services/equalities.py), and the panel's own.
STANDARD_CATEGORIES = (
    CategorySpec(equalities.AGE.key, equalities.AGE.text, equalities.AGE_BANDS_16_AND_OVER),
    CategorySpec(equalities.SEX.key, equalities.SEX.text, equalities.SEXES),
    CategorySpec(equalities.WARD.key, equalities.WARD.text, (), hint=equalities.WARD.hint),
    CategorySpec("housing", "Your home", ("Owned outright or with a mortgage",
                                          "Rented from the council or a housing association",
                                          "Rented from a private landlord", "Other")),
    CategorySpec("home_care", "Do you use home care, or care for someone who does?",
                 ("I use home care", "I care for someone who uses home care", "Neither"),
                 service_user=True),
    CategorySpec(equalities.ETHNICITY.key, equalities.ETHNICITY.text, equalities.ETHNIC_GROUPS, special=True),
    CategorySpec(equalities.DISABILITY_QUESTION.key, equalities.DISABILITY_QUESTION.text,
                 equalities.DISABILITY, special=True),
)


def slug_key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:60]


def create_panel(db: Session, *, name: str, description: str = "", wards: list[str],
                 council_name: str, categories: tuple[CategorySpec, ...] = STANDARD_CATEGORIES,
                 actor_id: int | None = None) -> Panel:
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name for the panel")
    wards = [w.strip() for w in wards if w.strip()]
    if not wards:
        errors["wards"] = _("Enter the borough's wards, one a line")
    if errors:
        raise InvalidInput(errors)
    panel = Panel(name=name[:200], description=description.strip()[:4000],
                  consent_text=CONSENT_TEXT.format(council=council_name),
                  special_consent_text=SPECIAL_CONSENT_TEXT.format(council=council_name))
    db.add(panel)
    db.flush()
    for position, spec in enumerate(categories):
        options = tuple(wards) if spec.key == "ward" else spec.options
        _add_category(db, panel, spec, options, position)
    audit.record(db, actor_id=actor_id, action="panel.create", object_type="panel", object_id=panel.id)
    db.flush()
    return get_panel(db, panel.id)


def _add_category(db: Session, panel: Panel, spec: CategorySpec, options, position: int) -> PanelCategory:
    category = PanelCategory(panel_id=panel.id, key=spec.key, label=spec.label, hint=spec.hint,
                             special=spec.special, service_user=spec.service_user, position=position)
    db.add(category)
    db.flush()
    values = [o for o in dict.fromkeys(options) if o != NOT_SAID] + [NOT_SAID]
    for index, value in enumerate(values):
        db.add(PanelFeature(category_id=category.id, value=value[:120], position=index))
    return category


def add_category(db: Session, panel: Panel, *, label: str, options: str, hint: str = "",
                 special: bool = False, service_user: bool = False, actor_id: int | None = None
                 ) -> PanelCategory:
    label = label.strip()
    values = [line.strip() for line in options.splitlines() if line.strip()]
    errors = {}
    key = slug_key(label)
    if not key:
        errors["label"] = _("Enter the question, for example “Do you use the library?”")
    elif db.scalar(select(PanelCategory.id).where(PanelCategory.panel_id == panel.id,
                                                   PanelCategory.key == key)):
        errors["label"] = _("This panel already asks that question")
    if len([v for v in values if v != NOT_SAID]) < 2:
        errors["options"] = _("Enter at least two answers, one a line")
    elif any(len(v) > 120 for v in values):
        errors["options"] = _("Each answer must be 120 characters or fewer")
    if errors:
        raise InvalidInput(errors)
    position = db.scalar(select(func.count(PanelCategory.id)).where(PanelCategory.panel_id == panel.id))
    spec = CategorySpec(key, label[:200], tuple(values), hint.strip()[:400], special, service_user)
    category = _add_category(db, panel, spec, spec.options, position or 0)
    audit.record(db, actor_id=actor_id, action="panel.category_add", object_type="panel",
                 object_id=panel.id, category=key)
    return category


def _with_categories(statement):
    return statement.options(selectinload(Panel.categories).selectinload(PanelCategory.features))


def get_panel(db: Session, panel_id: int) -> Panel:
    panel = db.scalar(_with_categories(select(Panel).where(Panel.id == panel_id)))
    if panel is None:
        raise NotFound()
    return panel


def recruiting_panel(db: Session, panel_id: int) -> Panel:
    """The public join page only shows panels that are recruiting."""
    panel = get_panel(db, panel_id)
    if not panel.recruiting:
        raise NotFound(_("This citizens' panel is not recruiting at the moment."))
    return panel


def recruiting_panels(db: Session) -> list[Panel]:
    return list(db.scalars(select(Panel).where(Panel.recruiting.is_(True)).order_by(Panel.id)))


def list_panels(db: Session) -> list[tuple[Panel, int]]:
    counts = (select(PanelVolunteer.panel_id, func.count(PanelVolunteer.id).label("n"))
              .group_by(PanelVolunteer.panel_id).subquery())
    rows = db.execute(select(Panel, func.coalesce(counts.c.n, 0))
                      .outerjoin(counts, counts.c.panel_id == Panel.id).order_by(Panel.id))
    return [(panel, count) for panel, count in rows]


def pool_size(db: Session, panel_id: int) -> int:
    return db.scalar(select(func.count(PanelVolunteer.id)).where(PanelVolunteer.panel_id == panel_id)) or 0


def set_recruiting(db: Session, panel: Panel, recruiting: bool, *, actor_id: int | None) -> None:
    panel.recruiting = recruiting
    audit.record(db, actor_id=actor_id, action="panel.recruiting", object_type="panel",
                 object_id=panel.id, recruiting=recruiting)
