"""The busiest routers are tried first; that must not change which route answers any request."""

import re

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.main import BUSIEST_ROUTERS, _discover_routers


def _routes(routers):
    return [route for _name, router in routers for route in router.routes if isinstance(route, APIRoute)]


def _first_match(routes, method: str, path: str):
    return next((r for r in routes if method in r.methods and r.path_regex.match(path)), None)


def _differences(served, alphabetical) -> list[tuple[str, str]]:
    """(method, route path) of every route whose sample request another route would answer."""
    served_routes, alphabetical_routes = _routes(served), _routes(alphabetical)
    found = []
    for route in served_routes:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            if _first_match(served_routes, method, path) is not _first_match(alphabetical_routes, method, path):
                found.append((method, route.path))
    return found


def test_every_route_is_answered_by_the_same_route_in_discovery_order():
    served = _discover_routers()
    assert {name for name, _ in served[: len(BUSIEST_ROUTERS)]} == set(BUSIEST_ROUTERS)
    assert len(_routes(served)) > 100
    assert _differences(served, sorted(served, key=lambda item: item[0])) == []


def test_the_check_sees_a_promoted_route_that_would_shadow_another():
    early, late = APIRouter(prefix="/x"), APIRouter(prefix="/x")
    early.add_api_route("/new", lambda: None)
    late.add_api_route("/{thing_id}", lambda: None)
    alphabetical = [("a", early), ("b", late)]
    assert _differences(alphabetical[::-1], alphabetical) == [("GET", "/x/new")]
