"""Core infrastructure: per-process caches (app.caching) and SQLite writers taking turns
(Database.write_transaction)."""

import threading
import time

from sqlalchemy import text

from app.caching import TimedCache, new_petition_caches
from app.db import Database


def test_a_cached_value_is_computed_once_within_its_time():
    cache, calls = TimedCache(ttl_seconds=60), []
    assert [cache.get("count", lambda: calls.append(1) or 41 + len(calls)) for _ in range(3)] == [42, 42, 42]
    assert len(calls) == 1
    cache.clear()
    assert cache.get("count", lambda: 7) == 7


def test_a_zero_time_cache_always_recomputes_and_a_full_cache_evicts():
    fresh = TimedCache(ttl_seconds=0)
    assert [fresh.get("k", lambda n=n: n) for n in range(3)] == [0, 1, 2]
    small = TimedCache(ttl_seconds=60, max_entries=2)
    for key in "abc":
        small.get(key, lambda key=key: key.upper())
    assert small.get("a", lambda: "recomputed") == "recomputed"


def test_petition_caches_keep_counts_shorter_than_settings():
    caches = new_petition_caches(count_ttl=0, settings_ttl=60)
    assert caches.counts.get(1, lambda: 1) == 1 and caches.counts.get(1, lambda: 2) == 2
    assert caches.settings.get("rules", lambda: "a") == "a" and caches.settings.get("rules", lambda: "b") == "a"


def test_sqlite_writers_take_turns_and_each_commits(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/turns.db")
    with database.transaction() as db:
        db.execute(text("CREATE TABLE signatures (who TEXT)"))
    first_inside, release_first, order = threading.Event(), threading.Event(), []

    def first():
        with database.write_transaction() as db:
            first_inside.set()
            release_first.wait(10)
            db.execute(text("INSERT INTO signatures VALUES ('first')"))
            order.append("first")

    def second():
        with database.write_transaction() as db:
            db.execute(text("INSERT INTO signatures VALUES ('second')"))
            order.append("second")

    one = threading.Thread(target=first)
    one.start()
    assert first_inside.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)
    assert order == []  # the second writer waits its turn instead of failing or polling
    release_first.set()
    one.join(10)
    two.join(10)
    assert order == ["first", "second"]
    with database.transaction(write=False) as db:
        assert db.execute(text("SELECT who FROM signatures ORDER BY rowid")).scalars().all() == ["first", "second"]
    database.dispose()
