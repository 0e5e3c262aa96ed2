"""Every page × every role gets an expected status: staff pages never open to the wrong people.

Routes are read from the app itself, so a new page joins the matrix the day it is added.
"""

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import text

from app.demo import DEMO_PASSWORD
from app.models import Base
from tests.attack.conftest import sign_in_resident

# The demo council is loaded once per worker and backend: keep its users on one worker.
pytestmark = pytest.mark.xdist_group("demo")

SKIP = ("/static", "/api/docs", "/openapi.json", "/dev/", "/healthz")
TABLE_FOR = {"question": "consultation_question", "run": "analysis_run", "thread": "forum_thread",
             "post": "forum_post", "draw": "panel_draw", "member": "panel_member"}
SPECIAL = {"verb": "open", "bucket": "other", "page": "1", "reference": "NOTAREF", "token": "not-a-token",
           "format": "csv", "kind": "theme", "direction": "up"}


def _value_for(db, name: str) -> str:
    if name in SPECIAL:
        return SPECIAL[name]
    if name == "post_id":  # posts are addressed by their random public id
        return db.execute(text("SELECT public_id FROM forum_post ORDER BY id LIMIT 1")).scalar() or "nopost"
    if name.endswith("slug"):
        return db.execute(text("SELECT slug FROM organisation ORDER BY id LIMIT 1")).scalar_one()
    stem = name.removesuffix("_id")
    table = TABLE_FOR.get(stem) or next(
        (t for t in Base.metadata.tables if t == stem or t.endswith("_" + stem) or t == "consultation_" + stem),
        None)
    if table is None:
        return "1"
    value = db.execute(text(f"SELECT MIN(id) FROM {table}")).scalar()
    return str(value or 1)


def routes(app, method: str) -> list[str]:
    """Every route's path pattern for a method, including those of included routers."""
    return sorted({c.path for c in iter_route_contexts(app.routes)
                   if method in (c.methods or ()) and not c.path.startswith(SKIP)})


def concrete(db, pattern: str) -> str:
    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", lambda m: _value_for(db, m.group(1)), pattern)


def concrete_get_paths(app, db) -> list[str]:
    return sorted({concrete(db, p) for p in routes(app, "GET")})


ADMIN_ONLY_IN_OFFICER_AREA = ("/officer/petitions/settings",)
DATA_PROTECTION_ONLY = ("/officer/data-protection",)


def _data_protection_only(path: str) -> bool:
    return path.startswith(DATA_PROTECTION_ONLY) or (
        path.startswith("/officer/consultations/") and path.endswith("/equalities.csv"))


RESIDENT_ONLY = ("/my-chorus",)  # a resident's own pages (issue 27); /my-chorus/deleted is for anyone


def _resident_only(path: str) -> bool:
    return (path.startswith(RESIDENT_ONLY) and path != "/my-chorus/deleted") or (path.endswith("/follow") and (
        path.startswith(("/consultations/", "/petitions/"))))


def expected(role: str, path: str) -> set[int]:
    staff_area = path.startswith(("/officer", "/admin"))
    if role == "resident":
        if staff_area or path.startswith("/account/"):
            return {403}  # residents never enter the staff area
        if _resident_only(path):
            return {200, 404}  # 404: nothing to follow with that id
        return {200, 303, 404, 409, 410}
    if _resident_only(path):
        return {303, 404} if role == "anonymous" else {403, 404}
    if _data_protection_only(path) and role != "anonymous":
        return {200} if role == "data_protection" else {403}
    if role == "data_protection" and path.startswith("/officer/consultations"):
        return {403, 404}  # no consultation's officer pages: only its equalities export (above)
    if path.startswith(ADMIN_ONLY_IN_OFFICER_AREA) and role != "anonymous":
        return {200} if role == "admin" else {403}
    if role == "anonymous":
        return {303} if staff_area else {200, 303, 404, 409, 410}
    if path.startswith("/admin"):
        return {200} if role == "admin" else {403}
    if role == "councillor" and (path == "/officer/reviews/1" or path.startswith("/officer/findings/")):
        return {200}
    if role == "councillor" and path.startswith("/officer/reviews"):
        return {403} if path.endswith(("/new", "/edit", "/schedule", "/conclude", "/welsh")) else {200}
    if staff_area:
        return {200, 303, 403, 404, 409} if role.startswith(("organiser", "councillor", "data_protection")) \
            else {200, 303, 404, 409}
    return {200, 303, 404, 409, 410}



@pytest.mark.parametrize("role", ["anonymous", "organiser_b", "organiser_a", "councillor", "officer", "admin",
                                  "data_protection", "resident"])
def test_every_page_for_every_role(demo_client, demo_db, accounts, role):
    if role == "resident":
        sign_in_resident(demo_client, demo_db, accounts[role])
    elif role != "anonymous":
        demo_client.sign_in(accounts[role].email, DEMO_PASSWORD)
    paths = concrete_get_paths(demo_client.app, demo_db)
    assert len(paths) > 30
    wrong = []
    for path in paths:
        response = demo_client.get(path)
        if response.status_code not in expected(role, path):
            wrong.append(f"{role} GET {path} -> {response.status_code}")
        if role == "anonymous" and (path.startswith(("/officer", "/admin")) or _resident_only(path)):
            assert response.headers["location"].startswith("/sign-in")
    assert not wrong, "\n".join(wrong)


def test_staff_actions_refuse_everyone_else(demo_client, demo_db, accounts):
    """Every state-changing staff route: anonymous → sign in; an organiser outside the team → 403/404."""
    posts = sorted({concrete(demo_db, p) for p in routes(demo_client.app, "POST")
                    if p.startswith(("/officer", "/admin"))})
    assert len(posts) > 10
    for path in posts:
        response = demo_client.submit(path, {})
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), path
    sign_in_resident(demo_client, demo_db, accounts["resident"])
    for path in posts:
        assert demo_client.submit(path, {}).status_code == 403, f"resident POST {path}"
    demo_client.cookies.clear()
    demo_client.sign_in(accounts["organiser_b"].email, DEMO_PASSWORD)
    allowed_for_organisers = ("/officer/forums", "/officer/organisations", "/officer/findings")
    for path in posts:
        response = demo_client.submit(path, {})
        if path.startswith(allowed_for_organisers):
            assert response.status_code < 500, path
        else:
            assert response.status_code in (403, 404), f"organiser_b POST {path} -> {response.status_code}"


def test_account_enumeration_is_not_possible_through_sign_in(demo_client, accounts):
    known = demo_client.submit("/sign-in", {"email": accounts["officer"].email, "password": "wrong password!"})
    unknown = demo_client.submit("/sign-in", {"email": "nobody@riverside.example", "password": "wrong password!"})
    assert known.status_code == unknown.status_code == 422
    strip = lambda r, e: r.text.replace(e, "")  # noqa: E731
    assert strip(known, accounts["officer"].email) == strip(unknown, "nobody@riverside.example")


def test_users_table_is_not_reachable_by_open_redirect(demo_client, accounts):
    for target in ["//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]:
        response = demo_client.get(f"/sign-in?next={target}")
        assert "evil.example" not in response.headers.get("location", "")
        demo_client.cookies.clear()
        response = demo_client.submit("/sign-in", {"email": accounts["officer"].email,
                                                   "password": DEMO_PASSWORD, "next": target})
        assert response.headers["location"] == "/officer"


def test_a_councillor_changes_nothing_but_comments_and_the_scrutiny_view(demo_client, demo_db, accounts):
    """Every state-changing staff route refuses a councillor, except commenting and recording scrutiny."""
    posts = sorted({concrete(demo_db, p) for p in routes(demo_client.app, "POST")
                    if p.startswith(("/officer", "/admin"))})
    demo_client.sign_in(accounts["councillor"].email, DEMO_PASSWORD)
    for path in posts:
        response = demo_client.submit(path, {})
        if ((path.startswith("/officer/findings/") and path.endswith(("/comments", "/scrutiny")))
                or re.fullmatch(r"/officer/reviews/\d+/appraisal/comments", path)):  # scrutiny's comments
            assert response.status_code in (303, 409, 422), f"councillor POST {path} -> {response.status_code}"
        elif path.startswith(("/officer/forums", "/officer/organisations")):
            assert response.status_code < 500, path  # forums decide by organisation; a councillor has none
        else:
            assert response.status_code in (403, 404), f"councillor POST {path} -> {response.status_code}"


def test_the_data_protection_role_changes_nothing_else(demo_client, demo_db, accounts):
    """Subject access, erasure and equalities exports are this role's; every other staff action refuses it,
    and its own actions refuse everyone else."""
    posts = sorted({concrete(demo_db, p) for p in routes(demo_client.app, "POST")
                    if p.startswith(("/officer", "/admin"))})
    demo_client.sign_in(accounts["data_protection"].email, DEMO_PASSWORD)
    for path in posts:
        response = demo_client.submit(path, {})
        if path.startswith(DATA_PROTECTION_ONLY):
            assert response.status_code == 422, path  # no address given
        elif path.startswith(("/officer/forums", "/officer/organisations", "/officer/findings")):
            assert response.status_code < 500, path  # forums decide by organisation; this role has none
        else:
            assert response.status_code in (403, 404), f"data_protection POST {path} -> {response.status_code}"
    demo_client.cookies.clear()
    demo_client.sign_in(accounts["officer"].email, DEMO_PASSWORD)
    for path in posts:
        if path.startswith(DATA_PROTECTION_ONLY):
            assert demo_client.submit(path, {"email": "a@example.org", "confirm": "yes"}).status_code == 403, path
