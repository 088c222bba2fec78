"""Language detection on the messages people really send: short, transliterated, code-mixed."""

from __future__ import annotations

import pytest

from nlu.language import LangGuess, detect_language, requested_language, resolve_language
from nlu.normalise import skeleton


@pytest.mark.parametrize(("text", "lang"), [
    ("де взяти песель", "uk"),
    ("где взять песель", "ru"),
    ("чи потрібен мельдунек для карти побиту", "uk"),
    ("нужен ли мельдунек для карты побыту", "ru"),
    ("що робити якщо загубив паспорт", "uk"),
    ("что делать если потерял паспорт", "ru"),
    ("kak poluchit pesel", "ru"),
    ("de vyvchyty polsku movu", "uk"),
    ("yak otrymaty kartu pobytu", "uk"),
    ("gdzie zrobic pesel", "pl"),
    ("jak dostać kartę pobytu", "pl"),
    ("how to get a pesel number", "en"),
    ("my child needs a school", "en"),
])
def test_detects_the_four_languages(text: str, lang: str) -> None:
    assert detect_language(text).lang == lang


def test_transliteration_is_flagged() -> None:
    assert detect_language("kak poluchit pesel").transliterated
    assert not detect_language("как получить песель").transliterated


@pytest.mark.parametrize("text", ["Wie bekomme ich eine Aufenthaltserlaubnis in Polen?", "مرحبا كيف حالك",
                                  "Comment obtenir un permis de séjour en Pologne ?"])
def test_other_languages_are_recognised_as_unsupported(text: str) -> None:
    assert detect_language(text).lang == "other"


def test_a_one_word_domain_term_keeps_the_conversation_language() -> None:
    guess = detect_language("pesel")
    assert guess.lang is None
    assert resolve_language(guess, previous="uk") == "uk"
    assert resolve_language(LangGuess("ru", 0.95), previous="uk") == "ru"


@pytest.mark.parametrize(("text", "lang"), [
    ("по-українськи", "uk"), ("можно на русском", "ru"), ("in English please", "en"), ("po polsku prosze", "pl"),
    ("English", "en"), ("українська", "uk"),
])
def test_switch_requests(text: str, lang: str) -> None:
    assert requested_language(text) == lang


@pytest.mark.parametrize("text", ["how to learn polish", "хочу вивчити польську мову", "курсы польского языка",
                                  "gdzie jest kurs angielskiego dla dzieci"])
def test_questions_about_languages_are_not_switch_requests(text: str) -> None:
    assert requested_language(text) is None


@pytest.mark.parametrize(("a", "b"), [("карта побиту", "karta pobytu"), ("песель", "PESEL"),
                                      ("мельдунек", "meldunek"), ("цукр", "CUKR"), ("воєвода", "wojewoda")])
def test_skeleton_joins_scripts(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(("text", "lang"), [
    ("skolko nado zhdat reshenie po karte pobytu", "ru"),
    ("chy mozhna pratsiuvaty bez dozvolu", "uk"),
    ("nuzhna strakhovka dlya rebenka", "ru"),
    ("yak znaity simeinoho likaria", "uk"),
    ("gdzie mozna zalatwic meldunek", "pl"),
])
def test_the_faq_trained_model_reads_transliteration(answerer: object, text: str, lang: str) -> None:
    model = answerer.knowledge.language_model  # type: ignore[attr-defined]
    assert detect_language(text, model).lang == lang


@pytest.mark.parametrize("text", ["Wie bekomme ich eine Aufenthaltserlaubnis in Polen?",
                                  "Merhaba, oturma izni nasıl alınır?"])
def test_the_model_does_not_claim_other_languages(answerer: object, text: str) -> None:
    assert detect_language(text, answerer.knowledge.language_model).lang == "other"  # type: ignore[attr-defined]
