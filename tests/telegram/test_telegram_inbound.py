"""Updates as the core's messages, and the updates the bot ignores."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram_inbound import BotIdentity, attachment_kinds, chat_key, thread_of, to_incoming
from bot.messages import IncomingMessage

ME = BotIdentity(42, "migrant_help_bot")
USER = {"id": 7, "is_bot": False, "first_name": "Olena", "language_code": "uk"}
PRIVATE = {"id": 7, "type": "private"}
GROUP = {"id": -100900, "type": "supergroup", "title": "Sąsiedzi"}


def update(
    kind: str = "message", chat: dict[str, Any] = PRIVATE, user: dict[str, Any] = USER, **fields: Any
) -> Update:
    body = {"message_id": 1, "date": 0, "chat": chat, "from": user, **fields}
    return Update.de_json({"update_id": 1, kind: body}, None)


def command(text: str, chat: dict[str, Any] = PRIVATE) -> Update:
    length = len(text.split()[0])
    return update(chat=chat, text=text, entities=[{"type": "bot_command", "offset": 0, "length": length}])


def test_text_message() -> None:
    assert to_incoming(update(text="Як отримати PESEL?"), ME) == IncomingMessage(
        "telegram", "7", "7", text="Як отримати PESEL?", locale_hint="uk"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/start", "/start"),
        ("/HELP@Migrant_Help_Bot", "/help"),
        ("/topics@migrant_help_bot extra", "/topics extra"),
    ],
)
def test_commands_lose_the_bot_name(text: str, expected: str) -> None:
    msg = to_incoming(command(text), ME)
    assert msg is not None and msg.text == expected


def test_command_for_another_bot_is_ignored() -> None:
    assert to_incoming(command("/start@other_bot"), ME) is None
    assert to_incoming(command("/start@other_bot", chat=GROUP), ME) is None


def test_button_press_becomes_a_payload() -> None:
    upd = Update.de_json(
        {
            "update_id": 2,
            "callback_query": {
                "id": "q1",
                "from": USER,
                "chat_instance": "c",
                "data": "lang:pl",
                "message": {"message_id": 9, "date": 0, "chat": PRIVATE, "text": "…"},
            },
        },
        None,
    )
    assert to_incoming(upd, ME) == IncomingMessage("telegram", "7", "7", payload="lang:pl", locale_hint="uk")


@pytest.mark.parametrize(
    "fields, kinds",
    [
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, ("voice",)),
        ({"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, ("photo",)),
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                }
            },
            ("sticker",),
        ),
        ({"location": {"latitude": 52.2, "longitude": 21.0}}, ("location",)),
        ({"document": {"file_id": "d", "file_unique_id": "d"}}, ("document",)),
        (
            {
                "animation": {"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1, "duration": 1},
                "document": {"file_id": "a", "file_unique_id": "a"},
            },
            ("animation",),
        ),
        (
            {"video": {"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 1}},
            ("video",),
        ),
    ],
)
def test_attachments_are_named(fields: dict[str, Any], kinds: tuple[str, ...]) -> None:
    msg = to_incoming(update(**fields), ME)
    assert msg is not None and msg.attachments == kinds and msg.text == ""
    message = update(**fields).message
    assert message is not None and attachment_kinds(message) == kinds


def test_caption_is_the_text() -> None:
    msg = to_incoming(
        update(
            caption="my karta pobytu",
            photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        ),
        ME,
    )
    assert msg is not None and (msg.text, msg.attachments) == ("my karta pobytu", ("photo",))


def test_edited_messages_and_other_bots_are_ignored() -> None:
    assert to_incoming(update("edited_message", text="fixed typo", edit_date=1), ME) is None
    assert to_incoming(update(text="beep", user={"id": 99, "is_bot": True, "first_name": "B"}), ME) is None


def test_service_messages_are_ignored() -> None:
    assert to_incoming(update(chat=GROUP, new_chat_members=[USER]), ME, advisors_chat_id="-100900") is None


def test_group_messages_only_when_addressed() -> None:
    assert to_incoming(update(chat=GROUP, text="hello everyone"), ME) is None
    mention = update(
        chat=GROUP,
        text="@migrant_help_bot what is PESEL?",
        entities=[{"type": "mention", "offset": 0, "length": 17}],
    )
    msg = to_incoming(mention, ME)
    assert msg is not None and (msg.chat_id, msg.text) == ("-100900", "what is PESEL?")
    reply = update(
        chat=GROUP,
        text="and for children?",
        reply_to_message={
            "message_id": 5,
            "date": 0,
            "chat": GROUP,
            "from": {"id": 42, "is_bot": True, "first_name": "Bot"},
            "text": "PESEL is…",
        },
    )
    assert to_incoming(reply, ME) is not None
    msg = to_incoming(command("/help", chat=GROUP), ME)
    assert msg is not None and msg.text == "/help"


def test_advisors_group_is_always_heard() -> None:
    msg = to_incoming(update(chat=GROUP, text="I take this one"), ME, advisors_chat_id="-100900")
    assert msg is not None and msg.chat_id == "-100900" and msg.user_id == "7"


def test_forum_topic_and_chat_key() -> None:
    upd = update(chat={**GROUP, "is_forum": True}, text="hi", message_thread_id=77, is_topic_message=True)
    assert thread_of(upd) == 77
    assert thread_of(update(text="hi")) is None
    assert chat_key(upd) == "-100900"
    assert chat_key(object()) == "other"
