"""Assemble the bot from settings: embedder, FAQ knowledge, store, handoff and the dialogue core."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.answering import Answerer, build_knowledge
from bot.core import Dialogue
from bot.handoff_port import HandoffPort, NoAdvisors
from bot.messages import ConversationKey
from bot.ratelimit import RateLimiter
from bot.reloader import FaqReloader
from bot.retention import start_retention
from bot.settings import Settings
from bot.store import ConversationStore, MemoryStore, SqliteStore, utcnow
from bot.texts import LANGS, text
from nlu.embed_cache import CachedEmbedder
from nlu.embeddings import Embedder, create_embedder

log = logging.getLogger(__name__)


@dataclass
class BotParts:
    """The assembled pieces, for channels and the CLI."""

    settings: Settings
    embedder: Embedder
    answerer: Answerer
    store: ConversationStore
    dialogue: Dialogue


def build_embedder(settings: Settings) -> CachedEmbedder:
    """The embedder named in settings, wrapped in the on-disk cache."""
    options = {}
    if settings.embedder == "sentence-transformers":
        options = {"model": settings.embedder_model, "query_prefix": settings.embedder_query_prefix,
                   "passage_prefix": settings.embedder_passage_prefix}
    inner = create_embedder(settings.embedder, **options)
    return CachedEmbedder(inner, settings.cache_dir / "embeddings.sqlite")


def build_answerer(settings: Settings, embedder: Embedder | None = None) -> Answerer:
    """Load the FAQ and build the answering pipeline (raises FaqError on a broken FAQ)."""
    embedder = embedder or build_embedder(settings)
    knowledge = build_knowledge(Path(settings.faq_dir), embedder, settings.cache_dir)
    return Answerer(embedder, knowledge, cache_dir=settings.cache_dir)


def contact_texts(settings: Settings) -> dict[str, str]:
    """The 'talk to the organisation directly' message in every language."""
    values = settings.organisation.placeholders()
    return {lang: text(lang, "handoff_unavailable", **values) for lang in LANGS}


def build_handoff(settings: Settings, store: ConversationStore, persistent: bool = True) -> HandoffPort:
    """The advisors' handoff if `duty_schedule` and ADVISORS_CHAT_ID are set (handoff.db), else NoAdvisors."""
    if settings.duty_schedule is None or settings.advisors_chat_id is None:
        return NoAdvisors(contact_texts(settings))
    from handoff.service import HandoffService

    def history(key: ConversationKey) -> list[str]:
        """The person's last questions (already redacted), for the advisors' view of the conversation."""
        since = utcnow() - dt.timedelta(hours=6)
        return [q.text for q in store.questions(since) if q.key == key][-5:]

    return HandoffService.from_settings(settings, clock=utcnow, history=history,
                                        path=None if persistent else ":memory:")


def build_bot(settings: Settings, *, persistent: bool = True, handoff: HandoffPort | None = None,
              answerer: Answerer | None = None) -> BotParts:
    """Everything a channel needs; `persistent=False` keeps state in memory (one-shot CLI runs, tests)."""
    answerer = answerer or build_answerer(settings)
    store: ConversationStore = SqliteStore(settings.database_path) if persistent else MemoryStore()
    dialogue = Dialogue(answerer, store, handoff or build_handoff(settings, store, persistent),
                        settings.organisation.placeholders(), settings.default_language, settings.retention_days)
    return BotParts(settings, answerer.embedder, answerer, store, dialogue)


def start_faq_watcher(parts: BotParts) -> FaqReloader:
    """Serve FAQ edits within seconds: a background thread reloads changed files, refusing broken ones."""
    settings = parts.settings
    reloader = FaqReloader(parts.answerer, Path(settings.faq_dir), settings.data_dir / "faq-status.txt")
    reloader.start()
    return reloader


def build_dialogue(settings: Settings) -> Dialogue:
    """The core for long-running channels: persistent state, rate limit, FAQ hot reload, daily retention."""
    parts = build_bot(settings)
    parts.dialogue.rate_limiter = RateLimiter(settings.rate_limit_per_minute)  # people, not tests or the CLI
    start_faq_watcher(parts)
    start_retention(parts.store, settings.retention_days, parts.dialogue.handoff)  # at start, then daily
    return parts.dialogue
