"""Rate limits on cheap-to-abuse actions, backed by the `limits` library (memory or Redis)."""

from functools import lru_cache

from limits import parse, storage, strategies

_parse = lru_cache(maxsize=256)(parse)  # "5/minute" is parsed with regexes: once is enough


class RateLimiter:
    def __init__(self, storage_url: str):
        self._storage = storage.storage_from_string(storage_url)
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)

    def allow(self, rule: str, limit: str, *keys: str) -> bool:
        """Record one attempt under `rule` for `keys`; False when the limit is already reached."""
        return self._limiter.hit(_parse(limit), rule, *keys)

    def remaining_seconds(self, rule: str, limit: str, *keys: str) -> int:
        reset_at, _remaining = self._limiter.get_window_stats(_parse(limit), rule, *keys)
        import time

        return max(1, int(reset_at - time.time()))

    def reset(self) -> None:
        self._storage.reset()
