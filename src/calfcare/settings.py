"""Settings from the environment (prefix CALFCARE_), built only by `load_settings()`.

No module-level instance: every test and every process builds its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALFCARE_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("calfcare")),
        description="Where calfcare keeps its SQLite database and backups.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; SQLite in data_dir "
        "when empty, e.g. postgresql+psycopg://user@host/db.",
    )
    environment: Literal["development", "test", "production"] = "development"
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_import_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest diary file accepted by the import page, in bytes (a limit of "
        "its own, so that an export of any realistic size can be imported again).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_sign_ups_per_hour: int = Field(
        default=10,
        ge=1,
        le=100_000,
        description="Accounts that one client address may create in an hour (a clinic or a "
        "family behind one address may need more).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-"
        "separated addresses or networks, or *). Behind a reverse proxy, set this "
        "to its address so that rate limits count each real client, not the proxy.",
    )
    clock_file: Path | None = Field(
        default=None,
        description="Demonstrations and tests only: a file holding an ISO 8601 "
        "date-time with offset, read as the current time while it exists (so that a "
        "rehabilitation programme can be walked through day by day). Refused in production.",
    )

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'calfcare.db'}"
        if self.clock_file is not None and self.environment == "production":
            raise ValueError("clock_file is for demonstrations and tests, not production")
        return self

    def now(self) -> datetime:
        """The current time (UTC): the clock file's time when one is set and present."""
        if self.clock_file is not None:
            try:
                text = self.clock_file.read_text(encoding="utf-8").strip()
            except OSError:
                text = ""
            if text:
                moment = datetime.fromisoformat(text)
                if moment.tzinfo is None:
                    raise ValueError(f"{self.clock_file}: the time needs an offset, e.g. +00:00")
                return moment.astimezone(UTC)
        return datetime.now(UTC)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
