"""Every page, not only those the journeys pass through, checked with axe-core for WCAG 2.2 AA.

Each role signs in on the demo council and opens every GET page the app serves in its part of the
site (routes are read from the app, so a new page is checked the day it is added; ids are the
demo's first of each kind, or one the role can see), plus the error pages: not found, no access,
and a closed consultation. Each page is checked at desktop size and again at phone size. All
violations are collected and reported together; 0 is the bar.

The same crawl gathers every internal link on every page it opens and follows each one once (as
that role, with its cookies): none may answer 404, so no page ever leads anyone to a dead end.
Serving a role's pages must not load the model stack (torch, scikit-learn, scipy, openvino)
into the web process: that is the worker's. Each crawl checks its server before and after.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from app import jobs
from app.main import create_app
from tests.attack.test_authorisation_matrix import concrete, routes
from tests.browser.helpers import AccessibilityViolations
from tests.conftest import test_settings as settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOT_PAGES = ("/docs/oauth2-redirect",)
STAFF = ("/officer", "/admin")
ORGANISER_AREAS = ("/officer/forums", "/officer/findings", "/officer/organisations")
COUNCILLOR_AREAS = ("/officer/reviews", "/officer/findings")
ADMIN_ONLY = ("/admin", "/officer/petitions/settings")
ACCOUNTS = {"member": "grace@tenants.example", "organiser": "organiser@tenants.example",
            "councillor": "councillor@riverside.example",
            "officer": "officer@riverside.example", "admin": "admin@riverside.example",
            "data_protection": "dpo@riverside.example"}
# Links that are not pages to follow: downloads and the sign-out form's target. /api/docs is
# swagger-ui's own markup for developers (nested buttons, small targets: upstream issues; its
# plain equivalent is /openapi.json); tests/attack/test_api_docs.py checks it under the CSP.
NOT_FOLLOWED = ("/static/", "/sign-out", "/api/docs")
# Ids a role can see, where the first of its kind might be hidden from it.
VISIBLE = {
    "consultation_id": "SELECT MIN(id) FROM consultation WHERE state = 'open'",
    "petition_id": "SELECT MIN(id) FROM petition WHERE state = 'open'",
    "forum_id": "SELECT MIN(forum_id) FROM forum_thread",
}


# Pages the first-of-each-kind ids would miss, found in the demo's data. The organised campaign's page
# quotes a scrubbed campaign answer (analysis.privacy in the web process): the model-stack check
# below must see it served.
DATA_PAGES = {
    "officer": {
        "the demo's organised campaign": "SELECT '/officer/questions/' || MIN(question_id) || '/buckets/campaign' "
        "FROM theme_assignment WHERE bucket = 'campaign'",
    },
}


def _pages_for(role: str, patterns: list[str]) -> list[str]:
    def wanted(path: str) -> bool:
        if path.startswith(NOT_PAGES) or path.endswith((".csv", ".json")):
            return False  # downloads, not pages
        if role == "anonymous":
            return not path.startswith(STAFF)
        if role == "member":
            return path.startswith(("/forums", "/organisations"))
        if role == "organiser":
            return path.startswith(ORGANISER_AREAS) or path.startswith(("/forums", "/organisations"))
        if role == "councillor":
            return path == "/officer" or (path.startswith(COUNCILLOR_AREAS) and not path.endswith(
                ("/new", "/edit", "/schedule", "/conclude")))
        if role == "data_protection":
            return path.startswith("/officer/data-protection")
        if role == "admin":
            return path.startswith(ADMIN_ONLY)
        return path.startswith("/officer") and not path.startswith(ADMIN_ONLY)

    return [p for p in patterns if wanted(p)]


def _concrete_paths(database_path, role: str) -> list[str]:
    previous = jobs._database
    app = create_app(settings_for(f"sqlite:///{database_path}"))  # only its routes are read
    jobs.use_database(previous)
    engine = create_engine(f"sqlite:///file:{database_path}?mode=ro&uri=true")
    with engine.connect() as connection:
        preferred = {name: connection.execute(text(sql)).scalar() for name, sql in VISIBLE.items()}
        paths = []
        for pattern in _pages_for(role, routes(app, "GET")):
            for name, value in preferred.items():
                if value is not None:
                    pattern = pattern.replace("{" + name + "}", str(value))
                    pattern = pattern.replace("{" + name + ":int}", str(value))
            paths.append(concrete(connection, pattern))
        for name, sql in DATA_PAGES.get(role, {}).items():
            found = connection.execute(text(sql)).scalar()
            assert found, f"the demo council has no page for {name}"
            paths.append(found)
    engine.dispose()
    return sorted(set(paths))


def _error_pages(live_server, role: str) -> dict[str, int]:
    """The error pages a person can meet, with the status each must answer."""
    if role == "organiser":
        return {"/admin/users": 403}
    if role != "anonymous":
        return {}
    closed = live_server.lookup("SELECT MIN(id) FROM consultation WHERE state IN ('closed', 'published')")
    assert closed is not None, "the demo council has no closed consultation"
    return {"/no-such-page": 404, f"/consultations/{closed}/respond/who": 409}


def _internal_links(visitor, base: str) -> set[str]:
    """Every same-site link on the page as it is now (without its fragment)."""
    hrefs = visitor.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return {h.split("#", 1)[0] for h in hrefs
            if h.startswith(base + "/") and not h[len(base):].startswith(NOT_FOLLOWED)}


def _dead_links(visitor, links: dict[str, str], opened: set[str]) -> list[str]:
    """Links that answer 404, each with the first page it was found on (followed as the role)."""
    dead = []
    for link, found_on in sorted(links.items()):
        # The language switch returns to the page it is on (an error page's switch to that error
        # page, in the other language): the page itself is checked where it is opened.
        if link in opened or urlsplit(link).path.startswith("/language/"):
            continue
        response = visitor.page.request.get(link, max_redirects=5)
        if response.status == 404:
            dead.append(f"{link} (linked from {found_on}) answered 404")
    return dead


ROLES = ["anonymous", "member", "organiser", "councillor", "officer", "admin", "data_protection"]
MODEL_STACK = ("torch", "sklearn", "scipy", "openvino")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_at_desktop_and_phone_sizes(journey, live_server, role):
    model_stack_before = _model_stack_loaded(live_server)
    visitor = journey(f"axe-{role}", viewport="desktop")
    if role != "anonymous":
        visitor.sign_in(ACCOUNTS[role])
    errors = _error_pages(live_server, role)
    paths = _concrete_paths(live_server.database_path, role) + list(errors)
    problems, statuses, links = [], {}, {}
    for path in paths:
        response = visitor.page.goto(live_server.url + path, wait_until="load")
        status = response.status if response else 0
        statuses[path] = status
        if path not in errors:
            for link in _internal_links(visitor, live_server.url):
                links.setdefault(link, path)
        if status >= 500 or errors.get(path, status) != status:
            problems.append(f"{path} answered {status}, not {errors.get(path, 'below 500')}")
            continue
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            continue  # exports: CSV, JSON
        if not visitor.page.evaluate("() => !!document.querySelector('html > body main, html > body h1')"):
            continue  # an HTMX fragment, only ever swapped into a page that is checked
        for size, viewport in (("desktop", {"width": 1280, "height": 800}),
                               ("phone", {"width": 390, "height": 844})):
            visitor.page.set_viewport_size(viewport)
            visitor.viewport = size
            try:
                visitor.check()
            except AccessibilityViolations as violations:
                problems.append(f"{path} ({status}):\n{violations}")
        visitor.page.set_viewport_size({"width": 1280, "height": 800})
    if model_stack_before == []:  # else an earlier journey ran analysis in this server (immediate queue)
        loaded = _model_stack_loaded(live_server)
        assert not loaded, f"serving {role}'s pages loaded {loaded} into the web process: that is the worker's"
    checked = sum(1 for s in statuses.values() if s < 500)
    assert checked >= len(paths) // 2, f"too few pages opened: {statuses}"
    assert len(links) > 5, f"too few links found: {links}"
    problems += _dead_links(visitor, links, {live_server.url + p for p in statuses})
    assert not problems, f"{len(problems)} page(s) with problems for {role}:\n" + "\n\n".join(problems)



def _model_stack_loaded(live_server) -> list[str] | None:
    """The model-stack packages whose compiled libraries the server process has mapped (None where
    /proc cannot tell): whatever imported them, they show in /proc/<pid>/maps."""
    maps = Path(f"/proc/{live_server.pid}/maps")
    if not maps.exists():
        return None
    mapped = maps.read_text()
    return [name for name in MODEL_STACK if f"/site-packages/{name}/" in mapped
            or f"/site-packages/{name}.libs/" in mapped or f"/site-packages/{name}_" in mapped]
