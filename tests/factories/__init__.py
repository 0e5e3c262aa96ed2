"""Plain factory functions with overridable state."""

import itertools

from app.models.organisation import OrganisationType
from app.models.user import Role
from app.services import accounts

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def organisation(db, **overrides):
    n = next(_counter)
    values = {"name": f"Organisation {n}", "type": OrganisationType.VOLUNTARY}
    values.update(overrides)
    return accounts.create_organisation(db, **values)


def user(db, role: Role = Role.OFFICER, **overrides):
    n = next(_counter)
    values = {"email": f"person{n}@example.org", "password": PASSWORD, "role": role,
              "display_name": f"Person {n}"}
    if role == Role.ORGANISER and "organisation_id" not in overrides:
        values["organisation_id"] = organisation(db).id
    values.update(overrides)
    return accounts.create_user(db, **values)
