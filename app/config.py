"""Settings from the environment (pydantic-settings). Refuses unsafe defaults outside development."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where var/, alembic.ini and migrations/ live: the checkout, or CHORUS_HOME where the package is
# installed as a wheel (the Docker images).
PROJECT_ROOT = Path(os.environ.get("CHORUS_HOME") or Path(__file__).resolve().parent.parent)
DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development", alias="CHORUS_ENV"
    )
    secret_key: str = Field(DEV_SECRET, alias="SECRET_KEY")
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'chorus.db'}", alias="DATABASE_URL"
    )
    base_url: str = Field("http://127.0.0.1:8000", alias="BASE_URL")
    council_name: str = Field("Riverside Borough Council", alias="COUNCIL_NAME")
    # Who residents contact about the site (accessibility problems, their personal data).
    council_contact_email: str = Field("consultations@riverside.example", alias="COUNCIL_CONTACT_EMAIL")
    # In development, links follow the port the app serves on (PORT=18080 make run), unless BASE_URL is set.
    port: int | None = Field(None, alias="PORT")

    # Background jobs: "sqlite" (embedded, one machine) or a redis:// URL (any number of workers).
    queue_url: str = Field(f"sqlite:///{PROJECT_ROOT / 'var' / 'queue.db'}", alias="QUEUE_URL")
    queue_immediate: bool = Field(False, alias="QUEUE_IMMEDIATE")
    # Rate-limit counters: memory:// for one process, redis://... when several processes serve.
    rate_limit_storage_url: str = Field("memory://", alias="RATE_LIMIT_STORAGE_URL")

    smtp_host: str = Field("", alias="SMTP_HOST")
    smtp_port: int = Field(25, alias="SMTP_PORT")
    smtp_username: str = Field("", alias="SMTP_USERNAME")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, alias="SMTP_STARTTLS")
    mail_from: str = Field("Chorus <no-reply@chorus.localhost>", alias="MAIL_FROM")

    upload_dir: Path = Field(PROJECT_ROOT / "var" / "uploads", alias="UPLOAD_DIR")
    max_upload_bytes: int = Field(10 * 1024 * 1024, alias="MAX_UPLOAD_BYTES")

    # "minilm": the packaged all-MiniLM-L6-v2 (bf16 on CPUs with native bf16, else int8);
    # "fake": deterministic, for tests only.
    analysis_embedder: str = Field("minilm", alias="ANALYSIS_EMBEDDER")
    embedding_cache_path: Path = Field(
        PROJECT_ROOT / "var" / "embeddings.db", alias="EMBEDDING_CACHE_PATH"
    )
    # A running analysis whose heartbeat is older than this is marked failed: its worker died.
    analysis_stale_after_seconds: int = Field(300, alias="ANALYSIS_STALE_AFTER_SECONDS")

    # Logs: "auto" is JSON lines in production and readable lines elsewhere; or "json" / "text".
    log_format: Literal["auto", "json", "text"] = Field("auto", alias="LOG_FORMAT")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    # Requests in flight per process before new ones get 503 + Retry-After (0 turns shedding off).
    max_in_flight: int = Field(200, alias="MAX_IN_FLIGHT")
    # Anonymous public pages may be served this many seconds old (app/page_cache.py). Unset: 2 s in
    # production, off elsewhere, so that development and tests always see what they just changed.
    page_cache_seconds: float | None = Field(None, alias="PAGE_CACHE_SECONDS")

    # Retention (services/retention.py, run daily by jobs/retention.py; the privacy notice shows both):
    # answers are anonymised this many days after their review concludes or a stand-alone
    # consultation closes; sent emails lose their personal data after OUTBOX_RETENTION_DAYS.
    response_retention_days: int = Field(730, alias="RESPONSE_RETENTION_DAYS", ge=0)
    outbox_retention_days: int = Field(30, alias="OUTBOX_RETENTION_DAYS", ge=0)

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Sign-in limits count failures per (account, address) and per address: app/services/accounts/sign_in.py

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def page_cache_ttl(self) -> float:
        if self.page_cache_seconds is not None:
            return self.page_cache_seconds
        return 2.0 if self.environment == "production" else 0.0

    @property
    def cookies_secure(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _base_url_follows_port_in_development(self) -> "Settings":
        if self.environment == "development" and self.port and "base_url" not in self.model_fields_set:
            self.base_url = f"http://127.0.0.1:{self.port}"
        return self

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (
            not self.secret_key or self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
