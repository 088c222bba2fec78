"""Which of uk / ru / pl / en a message is written in, including transliterated and code-mixed text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlu import lexicon
from nlu.language_model import LanguageModel
from nlu.normalise import clean_text, skeleton, strip_diacritics

SUPPORTED = ("uk", "ru", "pl", "en")
OTHER = "other"
_WORDS = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)?", re.UNICODE)
_POLITE = {"please", "prosze", "pozhaluista", "pozhaluysta", "bud", "laska", "mozhna", "mozhno", "can", "you",
           "speak", "write", "answer", "pishi", "pyshy", "govori", "hovory", "otvechai", "vidpovidai",
           "davai", "davaite", "pisz", "mow", "odpowiadaj", "mi", "meni", "mne", "switch", "to", "change",
           "language", "iazik", "movu", "mova", "iezik", "iezyk", "na", "a"}


@dataclass(frozen=True)
class LangGuess:
    """A detected language with a confidence in [0, 1]; `lang` is 'other' for an unsupported language."""

    lang: str | None
    confidence: float
    transliterated: bool = False


def _script_counts(text: str) -> tuple[int, int, int]:
    cyr = lat = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if "\u0400" <= ch <= "\u04ff":
            cyr += 1
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f":
            lat += 1
        else:
            other += 1
    return cyr, lat, other


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'").replace("ʼ", "'") for w in _WORDS.findall(text)]


def _score(words: list[str], vocab: frozenset[str]) -> int:
    return sum(1 for w in words if w in vocab)


def _cyrillic(text: str, words: list[str]) -> LangGuess:
    lower = text.lower()
    uk = 2.0 * sum(1 for ch in lower if ch in lexicon.UK_LETTERS) + _score(words, lexicon.UK_CYR)
    ru = 2.0 * sum(1 for ch in lower if ch in lexicon.RU_LETTERS) + _score(words, lexicon.RU_CYR)
    uk += 0.5 * sum(1 for w in words if w.endswith(("ти", "тися", "ння", "ться")) and len(w) > 4)
    ru += 0.5 * sum(1 for w in words if w.endswith(("ть", "ться", "ние", "ция")) and len(w) > 4)
    if "ў" in lower:
        return LangGuess(OTHER, 0.6)  # Belarusian
    if uk or ru:
        total = uk + ru
        lang = "uk" if uk > ru else "ru" if ru > uk else None
        if lang:
            return LangGuess(lang, min(1.0, 0.5 + abs(uk - ru) / (2 * total) + 0.1 * min(total, 3)))
    return _statistical(text, ("uk", "ru"))


def _latin(text: str, words: list[str]) -> LangGuess:
    ascii_words = [strip_diacritics(w) for w in words]
    pl_letters = sum(1 for ch in text.lower() if ch in lexicon.POLISH_LETTERS)
    scores = {
        "pl": 2.0 * min(pl_letters, 2) + _score(words, lexicon.PL_WORDS) + _score(ascii_words, lexicon.PL_WORDS),
        "en": 1.0 * _score(ascii_words, lexicon.EN_WORDS),
        "uk": 1.0 * _score(ascii_words, lexicon.UK_TRANSLIT),
        "ru": 1.0 * _score(ascii_words, lexicon.RU_TRANSLIT),
    }
    scores["uk"] += 0.5 * sum(1 for w in ascii_words if w.endswith(("ty", "tysia", "nnia", "nnya")) and len(w) > 4)
    scores["ru"] += 0.5 * sum(1 for w in ascii_words if w.endswith(("at", "it", "et", "tsya", "niye")) and len(w) > 4)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top > 0 and top > second:
        translit = best in ("uk", "ru")
        stat = _statistical(text, SUPPORTED + (OTHER,)) if len(words) >= 4 and top < 2 else None
        if stat and stat.lang == OTHER and stat.confidence > 0.8 and top < 2:
            return stat
        return LangGuess(best, min(1.0, 0.5 + (top - second) / (2 * top) + 0.1 * min(top, 3)), translit)
    return _statistical(text, SUPPORTED + (OTHER,))


@lru_cache(maxsize=1)
def _lingua_detector() -> object:
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.UKRAINIAN, Language.RUSSIAN, Language.POLISH, Language.ENGLISH, Language.GERMAN,
                 Language.FRENCH, Language.SPANISH, Language.ITALIAN, Language.PORTUGUESE, Language.TURKISH,
                 Language.VIETNAMESE, Language.BELARUSIAN, Language.ROMANIAN]
    return (LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
            .with_preloaded_language_models().build())


def _statistical(text: str, allowed: tuple[str, ...]) -> LangGuess:
    detector = _lingua_detector()
    values = detector.compute_language_confidence_values(text)  # type: ignore[attr-defined]
    for value in values:
        code = value.language.iso_code_639_1.name.lower()
        lang = code if code in SUPPORTED else OTHER
        if lang in allowed:
            conf = float(value.value)
            if lang == OTHER and len(_words(text)) < 3:
                return LangGuess(None, 0.0)
            return LangGuess(lang, conf)
    return LangGuess(None, 0.0)


def detect_language(text: str, model: LanguageModel | None = None) -> LangGuess:
    """Guess the language of one message; `lang` is None when the text gives no evidence (e.g. 'pesel').

    Rules (letters, word lists, lingua) decide where they are sure; the optional character n-gram model,
    trained on the FAQ's own questions, decides transliterated and otherwise unclear messages.
    """
    text = clean_text(text)
    words = _words(text)
    if not words:
        return LangGuess(None, 0.0)
    cyr, lat, other = _script_counts(text)
    if other > cyr + lat:
        return LangGuess(OTHER, 0.9)
    guess = _cyrillic(text, words) if cyr >= lat else _latin(text, words)
    if model is None or len(text) < 4:
        return guess
    lang, prob = model.predict(text)
    if guess.lang == OTHER:
        # lingua takes transliterated Russian and Ukrainian for other languages; the model has seen them
        return LangGuess(lang, prob, True) if lang in ("uk", "ru") and prob >= 0.6 else guess
    if cyr >= lat:
        if guess.lang and guess.confidence >= 0.9:
            return guess
        return LangGuess(lang, prob) if prob >= 0.6 or guess.lang is None else guess
    if prob >= 0.6:
        return LangGuess(lang, prob, guess.transliterated or lang in ("uk", "ru"))
    return guess if guess.lang else LangGuess(lang, prob)


def requested_language(text: str) -> str | None:
    """The language a message asks to switch to ('по-українськи', 'in English', 'English'), or None."""
    tokens = [t for t in skeleton(text).split() if t not in _POLITE]
    if not tokens or len(tokens) > 4:
        return None
    joined = " ".join(tokens)
    raw = " ".join(skeleton(text).split())
    for lang, phrases in lexicon.SWITCH_PHRASES.items():
        if any(f" {p} " in f" {raw} " for p in phrases):
            return lang
    for lang, names in lexicon.LANGUAGE_NAMES.items():
        if joined in names:
            return lang
    return None


def resolve_language(guess: LangGuess, previous: str | None, default: str = "en") -> str:
    """The language to answer in: the detected one when it is clear, otherwise the conversation's."""
    if guess.lang in SUPPORTED and (guess.confidence >= 0.55 or previous is None):
        return guess.lang  # type: ignore[return-value]
    return previous or default
