"""Every form on every staff page sends names its route reads.

An officer and an organiser open every page of their part of the demo council; for each POST form
the test reads the field names the browser would send from the HTML and checks them against the
form fields the route declares (routes that read the raw form are checked by their own tests).
A field the route does not know is dropped silently and the person sees an error for text they
typed: the bug that broke "Hide post". Each label must point at a control on the page, too.
"""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy import select

from app.models.user import User
from tests.attack.test_authorisation_matrix import concrete, routes
from tests.services.test_forums_visibility import sign_in

pytestmark = pytest.mark.xdist_group("demo")

ACCOUNTS = {"officer": "officer@riverside.example", "organiser": "organiser@tenants.example",
            "admin": "admin@riverside.example"}
AREAS = {"officer": ("/officer",), "organiser": ("/officer/forums", "/forums", "/organisations"),
         "admin": ("/admin", "/officer/petitions/settings")}
ALWAYS_SENT = {"csrf_token"}


def _field_names(field) -> set[str]:
    """A form field's name, or the names of a form model's fields (Annotated[Model, Form()])."""
    annotation = getattr(field.field_info, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {info.alias or name for name, info in annotation.model_fields.items()}
    return {field.alias}


def _body_names(dependant) -> set[str]:
    names = {name for field in dependant.body_params for name in _field_names(field)}
    for sub in dependant.dependencies:
        names |= _body_names(sub)
    return names


def _post_routes(app):
    found = []
    for context in iter_route_contexts(app.routes):
        if "POST" not in (context.methods or ()):
            continue
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", context.path)
        found.append((re.compile(f"^{pattern}$"), context.path, _body_names(context.route.dependant)))
    return found


def _route_for(post_routes, action: str):
    return next(((path, names) for regex, path, names in post_routes if regex.match(action)), (None, None))


@pytest.mark.parametrize("role", ["officer", "organiser", "admin"])
def test_every_staff_form_sends_fields_its_route_reads(request, template, role):
    if template.backend != "sqlite":
        pytest.skip("templates and routes, not the database: one backend is enough")
    demo_client, demo_db = request.getfixturevalue("demo_client"), request.getfixturevalue("demo_db")
    user = demo_db.scalar(select(User).where(User.email == ACCOUNTS[role]))
    sign_in(demo_client, demo_db, user)
    post_routes = _post_routes(demo_client.app)
    pages = [concrete(demo_db, p) for p in routes(demo_client.app, "GET")
             if p.startswith(AREAS[role]) and not p.endswith((".csv", ".json", ".pdf"))]
    problems, forms_checked = [], 0
    for url in sorted(set(pages)):
        response = demo_client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        soup = BeautifulSoup(response.text, "html.parser")
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        for label in soup.find_all("label", attrs={"for": True}):
            if label["for"] not in ids:
                problems.append(f"{url}: label {label.get_text(' ', strip=True)!r} points at no control")
        for form in soup.find_all("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            action = (form.get("action") or url).split("?")[0]
            path, accepted = _route_for(post_routes, action)
            if path is None:
                problems.append(f"{url}: a form posts to {action}, which no route answers")
                continue
            forms_checked += 1
            if not accepted:
                continue  # the route reads the raw form; its own tests submit it
            sent = {c["name"] for c in form.find_all(["input", "textarea", "select", "button"]) if c.get("name")}
            unknown = sent - accepted - ALWAYS_SENT
            if unknown:
                problems.append(f"{url}: the form to {action} sends {sorted(unknown)}; the route reads "
                                f"{sorted(accepted)}")
    assert forms_checked > (10 if role != "admin" else 1), forms_checked
    assert not problems, "\n".join(problems)
