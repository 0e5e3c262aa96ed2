"""Rate limits on cheap-to-abuse actions, backed by the `limits` library (memory or Redis)."""

import time
from functools import lru_cache

from limits import parse, storage, strategies

_parse = lru_cache(maxsize=256)(parse)  # "5/minute" is parsed with regexes: once is enough

# Several moving windows checked and recorded in one Redis round trip, in the list format of the
# `limits` library's own moving window (newest timestamp first, trimmed to the limit), so that its
# window statistics (remaining_seconds) still read them. An attempt refused by any limit is
# recorded under none. ARGV: now, then amount and expiry for each key.
_ACQUIRE_ALL = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local oldest = redis.call('lindex', key, tonumber(ARGV[2 * i]) - 1)
  if oldest and tonumber(oldest) >= now - tonumber(ARGV[2 * i + 1]) then
    return 0
  end
end
for i, key in ipairs(KEYS) do
  redis.call('lpush', key, now)
  redis.call('ltrim', key, 0, tonumber(ARGV[2 * i]) - 1)
  redis.call('expire', key, tonumber(ARGV[2 * i + 1]))
end
return 1
"""


class RateLimiter:
    def __init__(self, storage_url: str):
        self._storage = storage.storage_from_string(storage_url)
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)
        self._acquire_all = None
        if isinstance(self._storage, storage.RedisStorage):
            self._acquire_all = self._storage.get_connection().register_script(_ACQUIRE_ALL)

    def allow(self, rule: str, limit: str, *keys: str) -> bool:
        """Record one attempt under `rule` for `keys`; False when the limit is already reached."""
        return self._limiter.hit(_parse(limit), rule, *keys)

    def allow_all(self, rule: str, limits: tuple[str, ...], *keys: str) -> bool:
        """One attempt under every limit of `limits` at once; recorded under none if any is reached."""
        items = [_parse(limit) for limit in limits]
        if self._acquire_all is None:
            if not all(self._limiter.test(item, rule, *keys) for item in items):
                return False
            return all([self._limiter.hit(item, rule, *keys) for item in items])
        redis_keys = [self._storage.prefixed_key(item.key_for(rule, *keys)) for item in items]
        args = [time.time()]
        for item in items:
            args += [item.amount, item.get_expiry()]
        return bool(self._acquire_all(keys=redis_keys, args=args))

    def retry_after(self, rule: str, limits: tuple[str, ...], *keys: str) -> int:
        """Seconds until every limit of `limits` that is reached has room again."""
        waits = [1]
        for limit in limits:
            reset_at, remaining = self._limiter.get_window_stats(_parse(limit), rule, *keys)
            if remaining <= 0:
                waits.append(int(reset_at - time.time()))
        return max(waits)

    def wait_seconds(self, rule: str, limits: tuple[str, ...], *keys: str) -> int:
        """Seconds until `keys` may try again under every limit of `limits` (0: now). Records nothing:
        for limits on failures, which `record` counts once the attempt has failed."""
        waits = [0]
        for limit in limits:
            item = _parse(limit)
            if not self._limiter.test(item, rule, *keys):
                reset_at, _remaining = self._limiter.get_window_stats(item, rule, *keys)
                waits.append(max(1, int(reset_at - time.time()) + 1))
        return max(waits)

    def record(self, rule: str, limits: tuple[str, ...], *keys: str) -> None:
        for limit in limits:
            self._limiter.hit(_parse(limit), rule, *keys)

    def remaining_seconds(self, rule: str, limit: str, *keys: str) -> int:
        reset_at, _remaining = self._limiter.get_window_stats(_parse(limit), rule, *keys)
        return max(1, int(reset_at - time.time()))

    def reset(self) -> None:
        self._storage.reset()
