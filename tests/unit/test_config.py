import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings


@pytest.mark.parametrize("secret", [DEV_SECRET, "", "short"])
def test_production_refuses_a_default_or_weak_secret(secret):
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(CHORUS_ENV="production", SECRET_KEY=secret)


def test_production_accepts_a_real_secret():
    settings = Settings(CHORUS_ENV="production", SECRET_KEY="x" * 40)
    assert settings.cookies_secure


def test_development_allows_the_default_secret():
    assert Settings(CHORUS_ENV="development").secret_key == DEV_SECRET
