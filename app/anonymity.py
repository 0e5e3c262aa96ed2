"""The daily secret behind anonymous posting: random, rotated every UTC day, never stored.

Anonymous forum posts must not be traceable to their authors even by someone holding the
database, a backup and every setting (decision 0080). Anything that must recognise an anonymous
poster for a while (their own pending posts and edits, rate limits, "stop them posting") is keyed
with a secret that exists only in this process's memory or in Redis, and only for one day:

- the secret for a day is drawn at random the first time it is needed, and forgotten after it;
- one process (memory://) keeps it in a dict; several processes share it through the Redis of
  RATE_LIMIT_STORAGE_URL (SET NX with an expiry), so all of them recognise the same poster;
- a restart of a one-process app draws a new secret: edits and bars lapse early, never late.

Each post's key also mixes in the post's own random public id, so two posts by one person carry
unrelated keys: the keys can be checked against a known account (with today's secret), never
compared with each other.
"""

import hashlib
import hmac
import secrets
import threading
from datetime import date, datetime

from app.models.base import utcnow

_KEY_PREFIX = "chorus:anonymity:day:"
_LIFETIME_SECONDS = 2 * 24 * 3600  # a day, and the hours around its edges


class DailySecret:
    def __init__(self, storage_url: str = "memory://"):
        self._redis = None
        if storage_url.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(storage_url)
        self._days: dict[date, bytes] = {}
        self._lock = threading.Lock()

    def for_day(self, day: date) -> bytes:
        if self._redis is not None:
            key = _KEY_PREFIX + day.isoformat()
            self._redis.set(key, secrets.token_hex(32), nx=True, ex=_LIFETIME_SECONDS)
            value = self._redis.get(key)
            return bytes.fromhex(value.decode())
        with self._lock:
            if day not in self._days:
                self._days = {d: s for d, s in self._days.items() if d > day.fromordinal(day.toordinal() - 2)}
                self._days[day] = secrets.token_bytes(32)
            return self._days[day]

    def today(self, now: datetime | None = None) -> bytes:
        return self.for_day((now or utcnow()).date())

    def forget(self) -> None:
        """Drop every day's secret (as a restart does): tests use it to act out a rotation."""
        with self._lock:
            self._days.clear()
        if self._redis is not None:
            for key in self._redis.scan_iter(_KEY_PREFIX + "*"):
                self._redis.delete(key)


_current = DailySecret()


def configure(storage_url: str) -> None:
    """Called by create_app with RATE_LIMIT_STORAGE_URL."""
    global _current
    _current = DailySecret(storage_url)


def current() -> DailySecret:
    return _current


def _mac(secret: bytes, *parts: object) -> str:
    return hmac.new(secret, "|".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


def post_key(user_id: int, forum_id: int, public_id: str, now: datetime | None = None) -> str:
    """The author key of one anonymous post: checkable today by its author's account, unlinkable."""
    return _mac(_current.today(now), "post", user_id, forum_id, public_id)


def limit_key(user_id: int, forum_id: int) -> str:
    """The key rate limits count anonymous posts under (held only by the rate limiter, for a day)."""
    return _mac(_current.today(), "limit", user_id, forum_id)
