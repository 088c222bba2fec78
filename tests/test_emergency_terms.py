"""The emergency keyword net: real emergencies in every language must match, ordinary questions must not."""

from __future__ import annotations

import pytest

from nlu.emergency_terms import COMPILED, EMERGENCY_PATTERNS, is_emergency, matching_patterns

POSITIVE = {
    "uk": [
        "допоможіть, чоловік зараз бʼє мене",
        "він б'є мене і дітей, що робити",
        "я вже не хочу жити, все набридло",
        "думаю покінчити з собою сьогодні ввечері",
        "хочу себе вбити",
        "моя дитина не дихае!!",
        "у тата схоже інфаркт",
        "подруга наковталася пігулок і не відповідає",
        "у під'їзді пожежа, все в диму",
        "сусід погрожує мене вбити сокирою",
        "роботодавець забрав паспорт і не відпускає додому",
        "нас зачинили на складі",
        "мама знепритомніла і не приходить до тями",
        "у нього ніж, каже що вб'є мене",
        "постійно думки про суіцид",
        "сильно болить серце, лівою рукою не можу рухати",
    ],
    "ru": [
        "помогите муж бьет меня прямо сейчас",
        "меня избивают соседи",
        "не хочу больше жить",
        "хочу покончить с собой",
        "думаю о суициде каждый день",
        "ребенок не дышыт что делать",
        "у мужа сердечный приступ",
        "кажется у бабушки инсульт",
        "сестра выпила пачку таблеток",
        "у нас пожар в квартире",
        "он угрожает что убьёт меня",
        "у меня забрали паспорт и не выпускают из дома",
        "нас заперли в общежитии",
        "человек лежит без сознания на улице",
        "я убью себя",
        "меня изнасиловали",
    ],
    "pl": [
        "chce sie zabic",
        "mysle o samobojstwie",
        "nie chce juz zyc",
        "maz mnie bije pomocy",
        "on bije mnie i dzieci",
        "moje dziecko nie oddycha!!",
        "tata ma chyba zawal",
        "boli mnie serce i nie moge oddychac",
        "przedawkowała leki",
        "pożar w kamienicy",
        "grozi że mnie zabije",
        "jestem zamknieta w mieszkaniu, nie moge wyjsc",
        "zabrali mi paszport i nie pozwalają wyjść",
        "kolega stracił przytomność",
        "chcę skończyć ze sobą",
    ],
    "en": [
        "i want to kill my self",
        "im gonna end my life tonight",
        "having suicidal thoughts",
        "my boyfriend is beating me rn",
        "someone keeps hitting me help",
        "my baby isnt breathing",
        "i think my dad is having a heart attack",
        "my friend overdosed",
        "theres a fire in my building",
        "he threatens to kill me with a knife",
        "they took my passport and wont let me leave",
        "i'm locked in a room and cant get out",
        "my mom passed out and won't wake up",
        "i dont want to live anymore",
        "the kitchen is on fire",
    ],
    "translit": [
        "ne hochu zhit",
        "menya byut",
        "rebenok ne dyshit",
        "hochu pokinchyty z soboyu",
        "u nas pozhar",
        "vin mene b'ye",
    ],
    "mixed": [
        "pomocy, мене б'ють",
        "хочу\u200b покінчи\u200bти з собою",  # zero-width characters
        "він бьє мене",  # Russian soft sign in a Ukrainian word
        "не дихaє",  # Latin "a" inside a Cyrillic word
        "CHCĘ SIĘ ZABIĆ",
        "I WANT TO DIE",
    ],
}

NEGATIVE = {
    "uk": [
        "де повідомити про домашнє насильство",
        "що таке Niebieska Karta",
        "мене звільнили з роботи, що робити",
        "роботодавець звільнив мене без попередження",
        "як записатися до лікаря",
        "як знайти сімейного лікаря",
        "куди поскаржитися на дискримінацію",
        "як отримати песель",
        "скільки коштує страховка",
        "чи можна змінити роботодавця",
        "дякую, ви мені дуже допомогли",
    ],
    "ru": [
        "куда сообщить о домашнем насилии",
        "что такое голубая карта",
        "меня уволили с работы что делать",
        "работодатель уволил без причины",
        "как записаться к врачу",
        "как найти семейного врача",
        "куда жаловаться на дискриминацию",
        "как получить песель",
        "как продлить визу",
        "как сдать на права в польше",
    ],
    "pl": [
        "gdzie zgłosić przemoc domową",
        "co to jest niebieska karta",
        "zwolnili mnie z pracy",
        "pracodawca mnie zwolnił bez wypowiedzenia",
        "jak zapisać się do lekarza",
        "jak dostać skierowanie do specjalisty",
        "gdzie zgłosić dyskryminację",
        "jak dostac pesel",
        "ile kosztuje ubezpieczenie zdrowotne",
        "dziękuję z całego serca",
    ],
    "en": [
        "where can i report domestic violence",
        "where can I report discrimination",
        "what is Niebieska Karta",
        "how to get a doctor",
        "my employer fired me",
        "can my boss fire me for being sick",
        "they want to fire me because i am pregnant",
        "i got fired yesterday, what are my rights",
        "how do i apply for pesel",
        "is a break in employment a problem for my residence card",
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(lang, text) for lang, texts in table.items() for text in texts]


@pytest.mark.parametrize(("lang", "text"), _cases(POSITIVE))
def test_emergency_matches(lang: str, text: str) -> None:
    assert is_emergency(text), f"{lang}: {text!r} should be caught"


@pytest.mark.parametrize(("lang", "text"), _cases(NEGATIVE))
def test_ordinary_question_does_not_match(lang: str, text: str) -> None:
    assert not is_emergency(text), f"{lang}: {text!r} matched {matching_patterns(text)}"


def test_enough_examples_per_language() -> None:
    for lang in ("uk", "ru", "pl", "en"):
        assert len(POSITIVE[lang]) >= 12
        assert len(NEGATIVE[lang]) >= 10


def test_pattern_table_shape() -> None:
    assert set(EMERGENCY_PATTERNS) == {"uk", "ru", "pl", "en", "translit"}
    for lang, patterns in EMERGENCY_PATTERNS.items():
        assert patterns, lang
        for src in patterns:
            assert src == src.lower(), f"{lang}: patterns are lower case: {src!r}"
    assert len(COMPILED) == len({src for patterns in EMERGENCY_PATTERNS.values() for src in patterns})


def test_empty_and_blank_text() -> None:
    assert not is_emergency("")
    assert not is_emergency("   \u200b ")
