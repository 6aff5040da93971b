"""Settings from the environment (prefix CALFCARE_), built only by `load_settings()`.

No module-level instance: every test and every process builds its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALFCARE_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("calfcare")),
                           description="Where calfcare keeps its SQLite database and backups.")
    database_url: str = Field(default="", description="SQLAlchemy URL; SQLite in data_dir "
                              "when empty, e.g. postgresql+psycopg://user@host/db.")
    environment: Literal["development", "test", "production"] = "development"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024,
                                description="Largest request body accepted, in bytes.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'calfcare.db'}"
        return self


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
