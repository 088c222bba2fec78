"""The dialogue core: one IncomingMessage in, a list of Replies out. It never imports a channel library."""

from __future__ import annotations

import html
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from bot.answering import HANDOFF, Answerer, Decision
from bot.handoff_port import HandoffPort
from bot.messages import LANGS, Button, ConversationKey, IncomingMessage, Reply
from bot.ratelimit import RateLimiter, Verdict
from bot.redact import redact
from bot.store import ConversationState, ConversationStore, LoggedQuestion, utcnow
from bot.texts import language_name, text
from nlu.intents import EMERGENCY, FAQ_INTENT, OUT_OF_SCOPE
from nlu.language import OTHER, SUPPORTED, detect_language, requested_language, resolve_language
from nlu.normalise import clean_text
from retrieval.schema import CATEGORIES, FaqEntry

log = logging.getLogger(__name__)
T = TypeVar("T")

FALLBACK_ORDER = {"uk": ("pl", "en", "ru"), "ru": ("uk", "pl", "en"), "pl": ("en", "uk", "ru"),
                  "en": ("pl", "uk", "ru")}
MAX_TEXT = 4000
COMMANDS = ("/start", "/help", "/language", "/topics", "/human", "/forget", "/privacy")


def language_buttons() -> list[list[Button]]:
    """One row of buttons, each language in its own name."""
    return [[Button(language_name(lang).capitalize(), f"lang:{lang}") for lang in LANGS]]


class Dialogue:
    """Keeps per-conversation state in a store and answers each message; one message per conversation at a time."""

    def __init__(self, answerer: Answerer, store: ConversationStore, handoff: HandoffPort,
                 placeholders: dict[str, str], default_language: str = "en", retention_days: int = 90,
                 rate_limiter: RateLimiter | None = None) -> None:
        self.answerer = answerer
        self.store = store
        self.handoff = handoff
        self.placeholders = dict(placeholders)
        self.default_language = default_language
        self.retention_days = retention_days
        self._locks: defaultdict[ConversationKey, threading.Lock] = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()
        self.rate_limiter = rate_limiter
        self._store_failing: set[str] = set()  # store operations whose failure was logged already

    def _lock(self, key: ConversationKey) -> threading.Lock:
        with self._locks_guard:
            return self._locks[key]

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message; conversations are independent, messages of one conversation are serialised."""
        # before any language work, so a flood costs almost nothing; button presses cost no NLU and pass
        if self.rate_limiter is not None and msg.payload is None:
            verdict = self.rate_limiter.check(msg)
            if verdict is not Verdict.ALLOW:
                return self._rate_limited(msg) if verdict is Verdict.NOTE else []
        with self._lock(msg.key):
            state = self._store_call("load", self.store.load, msg.key) or ConversationState()
            state.user_id = msg.user_id
            replies = self._route(msg, state)
            if state.pending != "forgotten":
                self._store_call("save", self.store.save, msg.key, state)
            else:
                state.pending = None
            return replies

    def _rate_limited(self, msg: IncomingMessage) -> list[Reply]:
        state = self._store_call("load", self.store.load, msg.key) or ConversationState()
        lang = state.lang or self._hint(msg) or self.default_language
        return [Reply(text(lang, "rate_limited"), meta={"lang": lang, "rate_limited": True})]

    def _store_call(self, what: str, call: Callable[..., T], *args: Any) -> T | None:
        """A store call that must not stop the answers (read-only or full disk): a failure is logged once."""
        try:
            result = call(*args)
        except Exception:  # noqa: BLE001 - sqlite3.OperationalError, OSError...: keep answering FAQ questions
            if what not in self._store_failing:
                self._store_failing.add(what)
                log.exception("conversation store: %s failed (read-only or full disk?); answering without it "
                              "until it works again", what)
            return None
        if what in self._store_failing:
            self._store_failing.discard(what)
            log.warning("conversation store: %s works again", what)
        return result

    # --- routing -------------------------------------------------------------------------------------------

    def _route(self, msg: IncomingMessage, state: ConversationState) -> list[Reply]:
        lang = state.lang or self._hint(msg) or self.default_language
        body = clean_text(msg.text)[:MAX_TEXT]
        if self.handoff.is_active(msg.key) and not (msg.payload or body.startswith("/forget")):
            return self.handoff.relay_from_user(msg, lang)
        if msg.payload:
            return self._on_payload(msg, msg.payload, state, lang)
        command = body.split()[0].split("@")[0].lower() if body.startswith("/") else ""
        if command in COMMANDS:
            return self._on_command(msg, command, state, lang)
        if not body:
            return [Reply(text(lang, "attachments_text_only"))] if msg.attachments else []
        return self._on_text(msg, body, state)

    def _hint(self, msg: IncomingMessage) -> str | None:
        hint = (msg.locale_hint or "").split("-")[0].lower()
        return hint if hint in SUPPORTED else None

    def _on_command(self, msg: IncomingMessage, command: str, state: ConversationState, lang: str) -> list[Reply]:
        if command == "/start":
            if not state.lang:
                state.lang = lang
            return [Reply(self._fill(text(lang, "greet")), language_buttons()),
                    Reply(self._privacy(lang))]
        if command == "/help":
            return [Reply(text(lang, "help"))]
        if command == "/language":
            return [Reply(text(lang, "choose_language"), language_buttons())]
        if command == "/topics":
            return [self._topics(lang)]
        if command == "/human":
            return self.handoff.request(msg, lang, "asked")
        if command == "/privacy":
            return [Reply(self._privacy(lang))]
        state.pending = "forget"
        return [Reply(text(lang, "forget_confirm"), [[Button(text(lang, "button.yes_delete"), "forget:yes"),
                                                      Button(text(lang, "button.cancel"), "forget:no")]])]

    def _on_payload(self, msg: IncomingMessage, payload: str, state: ConversationState, lang: str) -> list[Reply]:
        kind, _, arg = payload.partition(":")
        handled = self.handoff.on_payload(msg, lang)  # rating, cancel, contact preference of a handoff
        if handled is not None:
            return handled
        entries = self.answerer.knowledge.collection.by_id()
        if kind == "lang" and arg in SUPPORTED:
            state.lang, state.lang_chosen = arg, True
            return [Reply(text(arg, "language_set"))]
        if kind == "faq" and arg in entries:
            state.fallbacks = 0
            return self._answer(entries[arg], lang, state)
        if kind == "cat" and arg in CATEGORIES:
            return [self._category(arg, lang)]
        if kind == "topics":
            return [self._topics(lang)]
        if kind == "human":
            return self.handoff.request(msg, lang, arg or "asked")
        if kind == "rephrase":
            return [Reply(text(lang, "rephrase_prompt"))]
        if kind == "fb" and arg.count(":") == 1:
            verdict, faq_id = arg.split(":")
            if faq_id in entries:  # a forged or stale payload stores nothing
                self._store_call("feedback", self.store.log_feedback, msg.key, faq_id, verdict == "up",
                                 utcnow())
            if verdict == "up":
                return [Reply(text(lang, "feedback_thanks"))]
            state.pending = "after_down"
            return [Reply(text(lang, "feedback_down"), self._help_buttons(lang, "feedback"))]
        if kind == "forget":
            return self._forget(msg, state, lang, confirmed=arg == "yes")
        return [Reply(text(lang, "fallback"), self._help_buttons(lang))]

    def _forget(self, msg: IncomingMessage, state: ConversationState, lang: str, confirmed: bool) -> list[Reply]:
        if not confirmed:
            state.pending = None
            return [Reply(text(lang, "forget_cancelled"))]
        notes = self.handoff.forget(msg.key)
        self.store.forget(msg.key)
        state.pending = "forgotten"
        return [Reply(text(lang, "forget_done")), *notes]

    # --- free text -------------------------------------------------------------------------------------------

    def _on_text(self, msg: IncomingMessage, body: str, state: ConversationState) -> list[Reply]:
        switch = requested_language(body)
        if switch:
            state.lang, state.lang_chosen = switch, True
            return [Reply(text(switch, "language_set"), meta=self._meta(switch, "change_language"))]
        guess = detect_language(body, self.answerer.knowledge.language_model)
        if guess.lang == OTHER and guess.confidence >= 0.6:
            return [Reply(text("en", "unsupported_language"), language_buttons(),
                          meta=self._meta("en", OUT_OF_SCOPE))]
        lang = resolve_language(guess, state.lang, self._hint(msg) or self.default_language)
        if not state.lang_chosen or guess.confidence >= 0.8:
            state.lang = lang
        decision = self.answerer.decide(body)
        self._log(msg, lang, body, decision)
        return self._render(msg, decision, state, lang)

    def _render(self, msg: IncomingMessage, decision: Decision, state: ConversationState, lang: str) -> list[Reply]:
        entries = self.answerer.knowledge.collection.by_id()
        if decision.kind == "answer" and decision.faq_id in entries:
            state.fallbacks = 0
            return self._answer(entries[decision.faq_id], lang, state, decision.confidence)
        if decision.kind == "suggest":
            state.candidates = list(decision.candidates)
            buttons = [[Button(self._title(entries[c], lang), f"faq:{c}")] for c in decision.candidates
                       if c in entries]
            return [Reply(text(lang, "did_you_mean"), buttons + self._help_buttons(lang),
                          meta=self._meta(lang, FAQ_INTENT, None, decision.confidence))]
        if decision.kind == "intent":
            return self._on_intent(msg, decision, state, lang)
        return self._fallback(msg, decision, state, lang)

    def _on_intent(self, msg: IncomingMessage, decision: Decision, state: ConversationState,
                   lang: str) -> list[Reply]:
        meta = self._meta(lang, decision.intent, None, decision.confidence)
        if decision.intent == EMERGENCY:
            first = Reply(text(lang, "emergency"), meta={**meta, "handoff": True, "faq_id": decision.faq_id})
            entries = self.answerer.knowledge.collection.by_id()
            related = self._answer(entries[decision.faq_id], lang, state) if decision.faq_id in entries else []
            return [first, *self.handoff.request(msg, lang, "emergency", priority=True), *related]
        if decision.intent == HANDOFF:
            return [self._with_meta(r, meta) for r in self.handoff.request(msg, lang, "asked")] or \
                [Reply(text(lang, "fallback"), meta=meta)]
        key = {"greet": "greet", "goodbye": "goodbye", "thanks": "thanks", "bot_capabilities": "help"}.get(
            decision.intent)
        if key:
            return [Reply(self._fill(text(lang, key)), meta=meta)]
        return [Reply(text(lang, "choose_language"), language_buttons(), meta=meta)]

    def _fallback(self, msg: IncomingMessage, decision: Decision, state: ConversationState,
                  lang: str) -> list[Reply]:
        state.fallbacks += 1
        if decision.intent == OUT_OF_SCOPE and state.fallbacks < 2:
            return [Reply(text(lang, "out_of_scope"), [[Button(text(lang, "button.topics"), "topics")]],
                          meta=self._meta(lang, OUT_OF_SCOPE, None, decision.confidence))]
        if state.fallbacks >= 2:
            state.fallbacks = 0
            meta = self._meta(lang, decision.intent, None, decision.confidence, handoff=True)
            return [Reply(text(lang, "fallback_again"), [[Button(text(lang, "button.advisor"), "human:fallback")]],
                          meta=meta)]
        return [Reply(text(lang, "fallback"), self._help_buttons(lang, "fallback"),
                      meta=self._meta(lang, decision.intent, None, decision.confidence, handoff=True))]

    # --- building replies ------------------------------------------------------------------------------------

    def _answer(self, entry: FaqEntry, lang: str, state: ConversationState,
                confidence: float = 1.0) -> list[Reply]:
        shown = lang if entry.text(lang) else next((x for x in FALLBACK_ORDER[lang] if entry.text(x)), None)
        loc = entry.text(shown) if shown else None
        if loc is None or shown is None:
            return [Reply(text(lang, "fallback"))]
        state.last_faq, state.candidates = entry.id, []
        parts = [f"<b>{html.escape(loc.title)}</b>", self._fill(loc.answer.strip(), escape=True)]
        if shown != lang:
            parts.insert(0, html.escape(text(lang, "other_language_note", lang_name=language_name(shown))))
        buttons = [[Button(text(lang, "button.useful"), f"fb:up:{entry.id}"),
                    Button(text(lang, "button.not_useful"), f"fb:down:{entry.id}")]]
        if entry.sensitive:
            parts.append(html.escape(text(lang, "sensitive_note")))
            buttons.append([Button(text(lang, "button.advisor"), "human:sensitive")])
        meta = self._meta(lang, FAQ_INTENT, entry.id, confidence, handoff=entry.sensitive)
        return [Reply("\n\n".join(parts), buttons, html=True, meta=meta)]

    def _topics(self, lang: str) -> Reply:
        present = {e.category for e in self.answerer.knowledge.collection.entries}
        rows = [[Button(text(lang, f"category.{c}"), f"cat:{c}")] for c in CATEGORIES if c in present]
        return Reply(text(lang, "topics_prompt"), rows)

    def _category(self, category: str, lang: str) -> Reply:
        entries = [e for e in self.answerer.knowledge.collection.entries if e.category == category]
        rows = [[Button(self._title(e, lang), f"faq:{e.id}")] for e in entries]
        return Reply(text(lang, "category_prompt"), rows + [[Button(text(lang, "button.topics"), "topics")]])

    def _title(self, entry: FaqEntry, lang: str) -> str:
        for candidate in (lang, *FALLBACK_ORDER[lang]):
            loc = entry.text(candidate)
            if loc:
                return loc.title
        return entry.id

    def _help_buttons(self, lang: str, reason: str = "asked") -> list[list[Button]]:
        advisor = "human" if reason == "asked" else f"human:{reason}"
        return [[Button(text(lang, "button.rephrase"), "rephrase"), Button(text(lang, "button.advisor"), advisor)]]

    def _privacy(self, lang: str) -> str:
        return self._fill(text(lang, "privacy", retention_days=self.retention_days))

    def _fill(self, template: str, escape: bool = False) -> str:
        """Put the organisation's details into {org_*} placeholders (HTML-escaped inside HTML answers)."""
        out = template
        for key, value in self.placeholders.items():
            out = out.replace("{" + key + "}", html.escape(value) if escape else value)
        return out

    @staticmethod
    def _meta(lang: str, intent: str, faq_id: str | None = None, confidence: float = 1.0,
              handoff: bool = False) -> dict[str, object]:
        return {"lang": lang, "intent": intent, "faq_id": faq_id, "confidence": round(float(confidence), 4),
                "handoff": handoff}

    @staticmethod
    def _with_meta(reply: Reply, meta: dict[str, object]) -> Reply:
        if reply.to is None:
            reply.meta = {**meta, **reply.meta, "handoff": True}
        return reply

    def _log(self, msg: IncomingMessage, lang: str, body: str, decision: Decision) -> None:
        outcome = decision.kind if decision.intent != OUT_OF_SCOPE else "out_of_scope"
        self._store_call("question log", self.store.log_question, LoggedQuestion(
            utcnow(), msg.key, lang, redact(body)[:500], decision.intent, decision.faq_id,
            float(decision.confidence), outcome))

