"""Hide personal identifiers before text is logged, reported or shown to anyone but the person."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[EMAIL]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[0-9A-Z]{4}){3,7}(?:[ ]?[0-9A-Z]{1,4})?\b")),
    ("[ACCOUNT]", re.compile(r"\b\d{2}(?:[ ]?\d{4}){6}\b")),
    ("[PESEL]", re.compile(r"(?<!\d)\d{11}(?!\d)")),
    ("[DATE]", re.compile(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}(?!\d)")),
    ("[DATE]", re.compile(r"(?<!\d)(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)")),
    ("[DOCUMENT]", re.compile(r"\b[A-ZА-ЯІЇЄ]{2,3}[ ]?\d{6,9}\b", re.IGNORECASE)),
    ("[PHONE]", re.compile(r"(?<![\w])(?:\+|00)?\d{1,3}?[ -]?\(?\d{2,3}\)?(?:[ -]?\d{2,4}){2,4}(?![\w])")),
)
_SHORT_NUMBERS = re.compile(r"^(?:112|116 ?1[12]3|116 ?111|800 ?\d{3} ?\d{3})$")


def redact(text: str) -> str:
    """Replace PESEL, document, phone, e-mail, IBAN and date-of-birth patterns with labels."""
    for label, pattern in _PATTERNS:
        if label == "[PHONE]":
            text = pattern.sub(lambda m: m.group(0) if _keep_number(m.group(0)) else label, text)
        else:
            text = pattern.sub(label, text)
    return text


def _keep_number(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if len(digits) < 7:
        return True  # years, prices, "800+", short numbers are not phone numbers
    return bool(_SHORT_NUMBERS.match(candidate.strip()))
