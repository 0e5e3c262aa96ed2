"""Several rate limits checked as one attempt, in memory and in Redis (one round trip there)."""

import uuid

import pytest

from app.ratelimit import RateLimiter

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["memory", "redis"])
def limiter(request) -> RateLimiter:
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
        return RateLimiter(REDIS_URL)
    return RateLimiter("memory://")


@pytest.fixture
def address() -> str:
    return f"198.51.100.{uuid.uuid4().hex}"  # unique: Redis keeps windows across test runs


def test_the_second_attempt_within_a_minute_is_refused_with_the_wait(limiter, address):
    limits = ("1/minute", "5/5 minutes")
    assert limiter.allow_all("sign", limits, address, "7")
    assert not limiter.allow_all("sign", limits, address, "7")
    assert 55 <= limiter.retry_after("sign", limits, address, "7") <= 60
    assert limiter.allow_all("sign", limits, address, "8")  # another petition
    assert limiter.allow_all("sign", limits, f"{address}-other", "7")  # another address


def test_the_longer_limit_refuses_once_it_is_reached(limiter, address):
    limits = ("100/minute", "3/5 minutes")
    assert [limiter.allow_all("sign", limits, address) for _ in range(4)] == [True, True, True, False]
    assert 290 <= limiter.retry_after("sign", limits, address) <= 300


def test_a_refused_attempt_is_recorded_under_no_limit(limiter, address):
    assert limiter.allow_all("sign", ("1/minute", "2/hour"), address)
    assert not limiter.allow_all("sign", ("1/minute", "2/hour"), address)
    # Had the refused attempt counted, the hour's two would be used up.
    assert limiter.allow("sign", "2/hour", address)
    assert not limiter.allow("sign", "2/hour", address)
