"""Per-process caches, built once when the app starts (cachetools): what they hold may be a few
seconds old, never wrong for long. Nothing else in the app keeps a cache of its own."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache


class TimedCache:
    """Values computed on a miss and kept `ttl_seconds`; safe to share between request threads."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000):
        self._entries: TTLCache = TTLCache(maxsize=max_entries, ttl=ttl_seconds)
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._entries.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        value = compute()  # outside the lock: a slow query must not hold up other keys
        with self._lock:
            self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()


@dataclass(frozen=True)
class PetitionCaches:
    """Signature counts (2 s) and petition settings, rules and signable petitions (5 s)."""

    counts: TimedCache
    settings: TimedCache


def new_petition_caches(count_ttl: float = 2.0, settings_ttl: float = 5.0) -> PetitionCaches:
    return PetitionCaches(counts=TimedCache(count_ttl), settings=TimedCache(settings_ttl))
