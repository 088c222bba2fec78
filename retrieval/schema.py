"""The schema of one FAQ entry, as the editors write it in `faq_data/<id>.yaml`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGS = ("uk", "ru", "pl", "en")
CATEGORIES = ("residence", "work", "documents", "health", "education", "housing_money", "help_rights",
              "community")
PLACEHOLDERS = ("org_name", "org_phone", "org_email", "org_address", "org_hours", "org_website")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class LocalisedEntry(BaseModel):
    """The title, example questions and answer in one language."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=120)
    questions: list[str] = Field(min_length=1)
    answer: str = Field(min_length=20)

    @field_validator("questions")
    @classmethod
    def _no_empty_questions(cls, value: list[str]) -> list[str]:
        cleaned = [str(q).strip() for q in value]
        if any(not q for q in cleaned):
            raise ValueError("a question is empty")
        return cleaned


class FaqEntry(BaseModel):
    """One FAQ topic in up to four languages."""

    model_config = ConfigDict(extra="forbid")

    id: str
    category: Literal["residence", "work", "documents", "health", "education", "housing_money",
                      "help_rights", "community"]
    sensitive: bool = False
    reviewed: dt.date
    review_by: dt.date | None = None
    sources: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    uk: LocalisedEntry | None = None
    ru: LocalisedEntry | None = None
    pl: LocalisedEntry | None = None
    en: LocalisedEntry | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("use lowercase letters, digits and _ only, starting with a letter")
        return value

    @field_validator("keywords", mode="before")
    @classmethod
    def _numbers_are_keywords_too(cls, value: object) -> object:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("sources")
    @classmethod
    def _https_sources(cls, value: list[str]) -> list[str]:
        for url in value:
            if not str(url).startswith("https://"):
                raise ValueError(f"source {url!r} must be a full https:// address")
        return value

    def languages(self) -> list[str]:
        """The languages this entry is written in, in the standard order."""
        return [lang for lang in LANGS if getattr(self, lang) is not None]

    def text(self, lang: str) -> LocalisedEntry | None:
        """The entry in one language, or None."""
        return getattr(self, lang) if lang in LANGS else None
