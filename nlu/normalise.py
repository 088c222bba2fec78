"""Script- and diacritic-independent forms of text, so 'песель', 'PESEL' and 'pesel' compare equal."""

from __future__ import annotations

import re
import unicodedata

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ё": "io", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ў": "u",
    "'": "", "’": "", "ʼ": "", "`": "",
}
_POLISH_DIGRAPHS = (("rz", "zh"), ("ż", "zh"), ("ź", "zh"), ("cz", "ch"), ("sz", "sh"), ("ł", "l"))
_LATIN_FOLDS = (("kh", "h"), ("w", "v"), ("y", "i"), ("j", "i"), ("x", "ks"), ("ts", "c"), ("ii", "i"))
_WORD = re.compile(r"[0-9a-z+]+")
ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_text(text: str) -> str:
    """Remove zero-width and control characters and collapse white space."""
    text = ZERO_WIDTH.sub("", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def strip_diacritics(text: str) -> str:
    """'zrobić' -> 'zrobic', keeping Cyrillic letters (й, ё, ї) intact."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if "\u0400" <= ch <= "\u04ff":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out).replace("ł", "l").replace("Ł", "L")


def skeleton(text: str) -> str:
    """A rough phonetic Latin form shared by Polish, Cyrillic and transliterated spellings."""
    text = clean_text(text).lower()
    for src, dst in _POLISH_DIGRAPHS:
        text = text.replace(src, dst)
    text = "".join(_CYR_TO_LAT.get(ch, ch) for ch in text)
    text = strip_diacritics(text)
    for src, dst in _LATIN_FOLDS:
        text = text.replace(src, dst)
    return " ".join(_WORD.findall(text))


def skeleton_tokens(text: str) -> list[str]:
    """The words of `skeleton(text)`."""
    return skeleton(text).split()
