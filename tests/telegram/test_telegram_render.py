"""Rendering replies: escaping, splitting under Telegram's limit, keyboards, topics."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from tg_fake_api import parse_telegram_html

from bot.channels.telegram_render import (
    MAX_MESSAGE_LENGTH,
    inline_keyboard,
    render_reply,
    reply_html,
    split_html,
    visible_length,
)
from bot.messages import Button, ConversationKey, Reply


def test_plain_text_is_escaped_for_html_mode() -> None:
    assert reply_html(Reply("1 < 2 & <b>not bold</b>")) == "1 &lt; 2 &amp; &lt;b&gt;not bold&lt;/b&gt;"


def test_html_from_the_core_is_kept() -> None:
    assert reply_html(Reply("<b>PESEL</b> &amp; NIP", html=True)) == "<b>PESEL</b> &amp; NIP"


def test_short_text_is_one_part() -> None:
    assert split_html("Hello\n\nworld") == ["Hello\n\nworld"]
    assert split_html("  \n ") == []


def test_long_text_splits_at_paragraphs() -> None:
    paragraphs = [f"Paragraph {i}: " + "słowo " * 150 for i in range(12)]
    parts = split_html("\n\n".join(p.strip() for p in paragraphs))
    assert len(parts) > 1
    assert all(visible_length(p) <= MAX_MESSAGE_LENGTH for p in parts)
    for part in parts:  # every part begins and ends on a paragraph boundary
        assert part.startswith("Paragraph ") and part.endswith("słowo")
    assert "\n\n".join(parts) == "\n\n".join(p.strip() for p in paragraphs)


def test_one_huge_paragraph_splits_at_words() -> None:
    text = " ".join(f"w{i}" for i in range(3000))
    parts = split_html(text, limit=1000)
    assert all(visible_length(p) <= 1000 for p in parts)
    assert " ".join(parts) == text


def test_no_cut_inside_a_tag_or_entity_and_tags_are_reopened() -> None:
    text = '<a href="https://www.gov.pl/web/udsc">' + "&amp; długi link " * 400 + "</a> <b>koniec</b>"
    parts = split_html(text, limit=500)
    assert len(parts) > 5
    for part in parts:
        parse_telegram_html(part)  # raises if a tag or entity was cut or left open
        assert visible_length(part) <= 500
        assert not re.search(r"&[a-z]*$", part.split("<")[0])
    assert parts[1].startswith('<a href="https://www.gov.pl/web/udsc">')


def test_visible_length_counts_utf16_and_ignores_tags() -> None:
    assert visible_length("<b>ab</b>&amp;😀") == 5


def test_astral_characters_never_split_over_the_limit() -> None:
    parts = split_html("😀" * 3000)
    assert all(visible_length(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert "".join(parts) == "😀" * 3000


def test_keyboard_rows_and_payload_limit() -> None:
    markup = inline_keyboard(
        [[Button("👍", "fb:up:pesel"), Button("👎", "fb:down:pesel")], [Button("too long", "x" * 65)]]
    )
    assert markup is not None
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["fb:up:pesel", "fb:down:pesel"]
    ]
    assert inline_keyboard([]) is None


def test_keyboard_goes_under_the_last_part_and_topic_is_kept() -> None:
    reply = Reply(
        "a\n\n" * 3000,
        buttons=[[Button("More", "faq:more")]],
        to=ConversationKey("telegram", "-1001"),
        meta={"thread_id": 7},
    )
    messages = render_reply(reply, "-1001")
    assert len(messages) == 3
    assert messages[0].keyboard is None and messages[-1].keyboard is not None
    assert {m.thread_id for m in messages} == {7}


def test_buttons_without_text_still_render() -> None:
    [message] = render_reply(Reply("", buttons=[[Button("OK", "ok")]]), "1")
    assert message.text and message.keyboard is not None


_words = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "i", "code", "a"]), _words, st.sampled_from([" ", "\n", "\n\n", ""])
        ),
        max_size=60,
    ),
    st.integers(min_value=20, max_value=300),
)
def test_split_keeps_the_words_and_valid_html(pieces: list[tuple[str, str, str]], limit: int) -> None:
    text = ""
    for tag, words, sep in pieces:
        escaped = html.escape(words, quote=False)
        opening = '<a href="https://x.pl">' if tag == "a" else f"<{tag}>"
        text += (f"{opening}{escaped}</{tag}>" if tag else escaped) + sep
    parts = split_html(text, limit=limit)
    visible = "".join(parse_telegram_html(p) for p in parts)
    assert all(visible_length(p) <= limit for p in parts)
    squash = re.compile(r"\s+")
    assert squash.sub("", visible) == squash.sub("", parse_telegram_html(text) if text.strip() else "")
