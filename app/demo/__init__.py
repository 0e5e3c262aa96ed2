"""The demo council: a Best Value review of community health and care, its people and real people's words.

Every free text in the demo is real and says where it comes from (data/ATTRIBUTION.md): NHS
Friends and Family Test comments answer the review's patient-experience survey; comments from a
public conversation on affordable housing fill a stand-alone housing forum and the union's
points about housing costs.

Each feature adds a module `app/demo/<feature>.py` with `ORDER` (int) and `load(db, demo)`;
they run in ORDER after the foundation, all in one transaction.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo.credentials import DEMO_PASSWORD
from app.models.organisation import Organisation, OrganisationType
from app.models.review import Review
from app.models.user import Role, User
from app.services import accounts, reviews

DEMO_ORGANISATIONS = [
    ("Riverside Home Care (in-house service)", OrganisationType.COUNCIL_SERVICE,
     "The council's own home-care team.", "180 care workers"),
    ("UNISON Riverside Branch", OrganisationType.TRADE_UNION,
     "Represents council and care staff in the borough.", "2,100 members"),
    ("Riverside Carers' Network", OrganisationType.VOLUNTARY,
     "Support and a voice for unpaid carers.", "950 unpaid carers"),
    ("Riverside Tenants' Federation", OrganisationType.TENANTS,
     "Federation of the borough's tenants' and residents' associations.", "3,000 households"),
    ("CarePlus Services Ltd", OrganisationType.PRIVATE_PROVIDER,
     "Independent home-care provider under contract to the council.", "60 care workers"),
    ("Riverside Clinical Commissioning Group", OrganisationType.PUBLIC_BODY,
     "NHS commissioner for the borough.", "the borough's GP practices"),
]


@dataclass
class Demo:
    review: Review
    organisations: dict[str, Organisation]
    users: dict[str, User]
    notes: list[str] = field(default_factory=list)


def load_demo_data(db: Session, *, only_if_empty: bool = False) -> str:
    if db.scalar(select(func.count(User.id))):
        return "" if only_if_empty else "Demo data is already loaded; nothing to do."
    demo = _load_foundation(db)
    for module in _feature_modules():
        module.load(db, demo)
    db.flush()
    return _summary(demo)


def _feature_modules():
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]
    return sorted((m for m in modules if hasattr(m, "load")), key=lambda m: m.ORDER)


def _load_foundation(db: Session) -> Demo:
    organisations = {
        name: accounts.create_organisation(db, name=name, type=kind, description=description,
                                           speaks_for=speaks_for)
        for name, kind, description, speaks_for in DEMO_ORGANISATIONS
    }
    tenants = organisations["Riverside Tenants' Federation"]
    union = organisations["UNISON Riverside Branch"]
    people = [
        ("admin@riverside.example", Role.ADMIN, "Asha Patel", None),
        ("officer@riverside.example", Role.OFFICER, "Tom Okafor", None),
        ("councillor@riverside.example", Role.COUNCILLOR, "Cllr Joan Mensah", None),
        ("dpo@riverside.example", Role.DATA_PROTECTION, "Dana Lewis (data protection)", None),
        ("organiser@tenants.example", Role.ORGANISER, "Maureen Kelly", tenants.id),
        ("organiser@unison.example", Role.ORGANISER, "Dev Sharma", union.id),
    ]
    users = {
        email: accounts.create_user(db, email=email, password=DEMO_PASSWORD, role=role,
                                    display_name=name, organisation_id=org_id)
        for email, role, name, org_id in people
    }
    officer = users["officer@riverside.example"]
    review = reviews.create_review(
        db,
        title="Best Value review of community health and care",
        service="Community health and care (home care, with the NHS)",
        summary=("The council and the local NHS are reviewing community health and care in Riverside: "
                 "whether the council's own home-care service should continue, how services compare "
                 "with other councils and providers, and what patients, people who use care, their "
                 "carers and staff say."),
        scope=("Home care for adults arranged by the council (the in-house service and the contracted "
               "providers), and what patients say about the NHS services they use alongside it. Not "
               "residential care, and not care people arrange themselves."),
        lead_officer_id=officer.id, starts_on=date(2026, 9, 1), ends_on=date(2027, 6, 30), actor=officer,
    )
    return Demo(review=review, organisations=organisations, users=users)


def _summary(demo: Demo) -> str:
    lines = [
        "Loaded the demo council: a Best Value review of community health and care.",
        f"Sign in at /sign-in with any of these accounts; the password is {DEMO_PASSWORD!r}:",
    ]
    lines += [f"  {user.role.value:<10} {user.email}" for user in demo.users.values()]
    return "\n".join(lines + demo.notes)
