"""The bot's command menu (setMyCommands), translated into the four languages."""

from __future__ import annotations

from telegram import BotCommand

from bot.messages import LANGS

COMMANDS: tuple[str, ...] = ("start", "help", "language", "topics", "human", "forget", "privacy")

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "uk": {
        "start": "Почати й вибрати мову",
        "help": "Що вміє бот, з прикладами",
        "language": "Змінити мову",
        "topics": "Теми та відповіді",
        "human": "Зв'язатися з консультантом",
        "forget": "Видалити мої дані",
        "privacy": "Як використовуються мої дані",
    },
    "ru": {
        "start": "Начать и выбрать язык",
        "help": "Что умеет бот, с примерами",
        "language": "Сменить язык",
        "topics": "Темы и ответы",
        "human": "Связаться с консультантом",
        "forget": "Удалить мои данные",
        "privacy": "Как используются мои данные",
    },
    "pl": {
        "start": "Rozpocznij i wybierz język",
        "help": "Co potrafi bot, z przykładami",
        "language": "Zmień język",
        "topics": "Tematy i odpowiedzi",
        "human": "Porozmawiaj z doradcą",
        "forget": "Usuń moje dane",
        "privacy": "Jak wykorzystywane są moje dane",
    },
    "en": {
        "start": "Start and choose a language",
        "help": "What the bot can do, with examples",
        "language": "Change the language",
        "topics": "Topics and answers",
        "human": "Talk to an advisor",
        "forget": "Delete my data",
        "privacy": "How my data is used",
    },
}

DEFAULT_MENU_LANGUAGE = "en"  # shown to users whose Telegram is in none of the four languages


def bot_commands(lang: str) -> list[BotCommand]:
    """The command menu in one of the four languages."""
    texts = DESCRIPTIONS[lang]
    return [BotCommand(name, texts[name]) for name in COMMANDS]


def menus() -> list[tuple[str | None, list[BotCommand]]]:
    """(language_code, commands) for every setMyCommands call: one per language and the default."""
    return [(None, bot_commands(DEFAULT_MENU_LANGUAGE))] + [(lang, bot_commands(lang)) for lang in LANGS]
