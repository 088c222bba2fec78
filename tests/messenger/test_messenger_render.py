"""Replies as Messenger messages: under 2000 characters, quick replies within Meta's limits (pure)."""

from __future__ import annotations

from bot.channels.messenger_render import (MAX_QUICK_REPLIES, MAX_TEXT, MAX_TITLE, quick_replies,
                                           render_replies, shorten, text_parts)
from bot.messages import Button, Reply


def test_long_answer_is_split_at_paragraphs_under_2000() -> None:
    paragraphs = [f"Akapit {i}: " + "słowo " * 60 for i in range(20)]
    body = "\n\n".join(p.strip() for p in paragraphs)
    parts = text_parts(Reply(body))
    assert len(parts) > 1
    assert all(len(p) <= MAX_TEXT for p in parts)
    assert "\n\n".join(parts) == body  # cut only between paragraphs


def test_emoji_count_double_as_meta_counts() -> None:
    parts = text_parts(Reply("👍" * 1500))
    assert all(len(p.encode("utf-16-le")) // 2 <= MAX_TEXT for p in parts)
    assert "".join(parts) == "👍" * 1500


def test_html_becomes_plain_text_and_links_stay_visible() -> None:
    reply = Reply('<b>PESEL</b>\n\nSee <a href="https://www.gov.pl/web/gov/pesel">gov.pl</a> &amp; '
                  '<a href="https://udsc.gov.pl">https://udsc.gov.pl</a>', html=True)
    assert text_parts(reply) == [
        "PESEL\n\nSee gov.pl (https://www.gov.pl/web/gov/pesel) & https://udsc.gov.pl"]


def test_labels_are_cut_to_20_characters_with_an_ellipsis() -> None:
    assert shorten("Polski") == "Polski"
    assert shorten("Поговорити з консультантом") == "Поговорити з консул…"
    assert len(shorten("Zezwolenie na pobyt czasowy i pracę")) == MAX_TITLE
    assert shorten("Поговорити з консультантом").endswith("…")


def test_at_most_13_quick_replies_and_the_last_button_is_kept() -> None:
    rows = [[Button(f"Topic {i}", f"faq:t{i}")] for i in range(20)] + [[Button("Topics", "topics")]]
    got = quick_replies(rows)
    assert len(got) == MAX_QUICK_REPLIES
    assert got[-1] == {"content_type": "text", "title": "Topics", "payload": "topics"}
    assert quick_replies([[Button("x", "p" * 1001), Button("ok", "fine")]]) == [
        {"content_type": "text", "title": "ok", "payload": "fine"}]


def test_quick_replies_go_on_the_last_message_of_the_answer() -> None:
    long = "\n\n".join("ą" * 900 for _ in range(4))
    messages = render_replies([Reply(long, [[Button("👍", "fb:up:x"), Button("👎", "fb:down:x")]])])
    assert len(messages) == 2
    assert "quick_replies" not in messages[0]
    assert [q["payload"] for q in messages[-1]["quick_replies"]] == ["fb:up:x", "fb:down:x"]


def test_buttons_survive_a_following_reply_without_buttons() -> None:
    greeting = Reply("Hello", [[Button("Polski", "lang:pl"), Button("English", "lang:en")]])
    messages = render_replies([greeting, Reply("Privacy note")])
    assert [m["text"] for m in messages] == ["Hello", "Privacy note"]
    assert [q["payload"] for q in messages[1]["quick_replies"]] == ["lang:pl", "lang:en"]


def test_buttons_without_text_still_get_a_message() -> None:
    assert render_replies([Reply("", [[Button("Topics", "topics")]])]) == [
        {"text": "…", "quick_replies": [{"content_type": "text", "title": "Topics", "payload": "topics"}]}]
    assert render_replies([Reply("   ")]) == []
