"""The page's Get Started button and persistent menu in four languages, as one messenger_profile call."""

from __future__ import annotations

from typing import Any

from bot.channels.messenger_api import GraphApi, SendResult
from bot.channels.messenger_events import GET_STARTED, MENU_FORGET, MENU_HUMAN, MENU_LANGUAGE, MENU_TOPICS

MAX_MENU_TITLE = 30  # persistent menu item title
MAX_GREETING = 160

# Messenger picks the menu by the person's Facebook locale; "default" is required and used for the rest.
LOCALES = {"uk": "uk_UA", "ru": "ru_RU", "pl": "pl_PL", "en": "default"}
MENU_TITLES: dict[str, dict[str, str]] = {
    "uk": {MENU_TOPICS: "Теми", MENU_LANGUAGE: "Мова / Language", MENU_HUMAN: "Поговорити з консультантом",
           MENU_FORGET: "Видалити мої дані"},
    "ru": {MENU_TOPICS: "Темы", MENU_LANGUAGE: "Язык / Language", MENU_HUMAN: "Поговорить с консультантом",
           MENU_FORGET: "Удалить мои данные"},
    "pl": {MENU_TOPICS: "Tematy", MENU_LANGUAGE: "Język / Language", MENU_HUMAN: "Rozmowa z konsultantem",
           MENU_FORGET: "Usuń moje dane"},
    "en": {MENU_TOPICS: "Topics", MENU_LANGUAGE: "Language", MENU_HUMAN: "Talk to a person",
           MENU_FORGET: "Delete my data"},
}
GREETINGS = {
    "uk": "Вітаємо! Відповідаю на питання про легальне перебування, роботу та документи в Польщі.",
    "ru": "Здравствуйте! Отвечаю на вопросы о легальном пребывании, работе и документах в Польше.",
    "pl": "Dzień dobry! Odpowiadam na pytania o legalny pobyt, pracę i dokumenty w Polsce.",
    "en": "Hello! I answer questions about legal stay, work and documents in Poland.",
}


def profile() -> dict[str, Any]:
    """The messenger_profile body: Get Started, greeting and menu for uk_UA, ru_RU, pl_PL and default."""
    menus, greetings = [], []
    for lang, locale in LOCALES.items():
        titles = MENU_TITLES[lang]
        menus.append({"locale": locale, "composer_input_disabled": False, "call_to_actions": [
            {"type": "postback", "title": titles[payload], "payload": payload}
            for payload in (MENU_TOPICS, MENU_LANGUAGE, MENU_HUMAN, MENU_FORGET)]})
        greetings.append({"locale": locale, "text": GREETINGS[lang]})
    # "default" must come first in Meta's examples; keep that order for readers of the request.
    menus.sort(key=lambda m: m["locale"] != "default")
    greetings.sort(key=lambda g: g["locale"] != "default")
    return {"get_started": {"payload": GET_STARTED}, "greeting": greetings, "persistent_menu": menus}


async def apply_profile(api: GraphApi) -> SendResult:
    """Publish the profile to the page (Meta replaces the fields given, keeps the others)."""
    return await api.set_messenger_profile(profile())
