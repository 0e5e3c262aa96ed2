"""Service getters that load a row by id without any access check are not left lying around
(issue 22): findings.get_finding and the old reviews.get_review did, unused, waiting to be wired to
a route. (reviews.get_review is back, used by staff-only routes whose role check comes first.)
"""

import inspect

from app.services import reviews
from app.services.reviews import findings


def test_no_unchecked_getters_remain():
    assert not hasattr(findings, "get_finding")
    for module in (findings, reviews):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or not name.startswith("get_"):
                continue
            source = inspect.getsource(function)
            assert "db.get(" not in source or "viewer" in source or "user" in source, f"{module.__name__}.{name}"
