"""Pure metric functions over (dev item, outcome) pairs: no model, no I/O, so tests can check the sums."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bench.devset import EMERGENCY, HANDOFF, OUT_OF_SCOPE, SMALL_TALK, DevItem

ALL = "all"
FAQ_INTENT = "faq"
DECLINE_INTENTS = (OUT_OF_SCOPE, FAQ_INTENT)  # a fallback after a weak FAQ match reports intent 'faq'


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one message, as `migrant-bot answer --jsonl` reports it (plus 'did you mean')."""

    lang: str
    intent: str
    faq_id: str | None = None
    handoff: bool = False
    candidates: tuple[str, ...] = ()  # the FAQ ids offered as "did you mean" buttons

    @property
    def kind(self) -> str:
        """'answer', 'suggest', 'declined' (out_of_scope or fallback) or 'intent'."""
        if self.faq_id is not None:
            return "answer" if self.intent == FAQ_INTENT else "intent"
        if self.intent == FAQ_INTENT and self.candidates:
            return "suggest"
        if self.intent in DECLINE_INTENTS:
            return "declined"
        return "intent"

    @property
    def declined(self) -> bool:
        """No FAQ answer and no 'did you mean': the bot said out_of_scope or fell back."""
        return self.kind == "declined"


Pair = tuple[DevItem, Outcome]


@dataclass(frozen=True)
class FaqScore:
    """Top-1 FAQ accuracy of a group of FAQ questions, and what happened to the rest."""

    n: int
    correct: int
    suggested: int  # "did you mean" with the right id among the choices (not counted as correct)
    declined: int  # no answer at all: out_of_scope or fallback
    wrong: int  # another FAQ entry, a wrong suggestion, or a non-FAQ intent

    @property
    def top1(self) -> float | None:
        """correct / n (None for an empty group)."""
        return ratio(self.correct, self.n)

    @property
    def suggested_rate(self) -> float | None:
        """suggested / n."""
        return ratio(self.suggested, self.n)


@dataclass(frozen=True)
class BinaryScore:
    """Precision and recall of one yes/no decision."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp): of the messages flagged, how many should have been."""
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn): of the messages that should have been flagged, how many were."""
        return ratio(self.tp, self.tp + self.fn)


@dataclass(frozen=True)
class Miss:
    """One message the bot got wrong, for engineers to look at."""

    text: str
    lang: str
    style: str
    expected: str
    got: str
    what: str  # which figure it counts against: faq, out_of_scope, handoff, emergency, small_talk, lang


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0."""
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def faq_result(item: DevItem, out: Outcome) -> str:
    """'correct', 'suggested', 'declined' or 'wrong' for one FAQ question."""
    if out.faq_id == item.expect:
        return "correct"
    if out.kind == "suggest" and item.expect in out.candidates:
        return "suggested"
    if out.declined:
        return "declined"
    return "wrong"


def faq_scores(pairs: Iterable[Pair], group: Callable[[DevItem], str] = lambda item: item.lang
               ) -> dict[str, FaqScore]:
    """Top-1 FAQ accuracy per group (default: the language) and over all FAQ questions (key 'all')."""
    counts: dict[str, dict[str, int]] = {}
    for item, out in pairs:
        if not item.is_faq:
            continue
        result = faq_result(item, out)
        for key in (group(item), ALL):
            bucket = counts.setdefault(key, {"correct": 0, "suggested": 0, "declined": 0, "wrong": 0})
            bucket[result] += 1
    return {key: FaqScore(sum(c.values()), c["correct"], c["suggested"], c["declined"], c["wrong"])
            for key, c in counts.items()}


def binary_score(truth: Sequence[bool], predicted: Sequence[bool]) -> BinaryScore:
    """Counts of true positives, false positives and false negatives."""
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p and not t)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    return BinaryScore(tp, fp, fn)


def out_of_scope_score(pairs: Sequence[Pair]) -> BinaryScore:
    """Positive = the bot gave no FAQ answer and declined; precision is over every message it declined."""
    truth = [item.expect == OUT_OF_SCOPE for item, _ in pairs]
    return binary_score(truth, [out.declined for _, out in pairs])


def handoff_hit(out: Outcome) -> bool:
    """Did the bot offer or start a handoff to a person?"""
    return out.handoff or out.intent == HANDOFF


def handoff_score(pairs: Sequence[Pair]) -> BinaryScore:
    """Handoff requests answered with a handoff (the meta's handoff flag or the human_handoff intent)."""
    return binary_score([item.expect == HANDOFF for item, _ in pairs], [handoff_hit(out) for _, out in pairs])


def emergency_score(pairs: Sequence[Pair]) -> BinaryScore:
    """Emergencies recognised as the emergency intent."""
    return binary_score([item.expect == EMERGENCY for item, _ in pairs],
                        [out.intent == EMERGENCY for _, out in pairs])


def small_talk_score(pairs: Sequence[Pair]) -> tuple[int, int]:
    """(right, n) over greet / thanks / goodbye messages: the intent must match exactly."""
    rows = [(item, out) for item, out in pairs if item.expect in SMALL_TALK]
    return sum(1 for item, out in rows if out.intent == item.expect), len(rows)


def language_scores(pairs: Iterable[Pair]) -> dict[str, tuple[int, int]]:
    """(right, n) of the reply language against the labelled language, per language and 'all'."""
    counts: dict[str, list[int]] = {}
    for item, out in pairs:
        for key in (item.lang, ALL):
            bucket = counts.setdefault(key, [0, 0])
            bucket[0] += int(out.lang == item.lang)
            bucket[1] += 1
    return {key: (c[0], c[1]) for key, c in counts.items()}


def confusion(pairs: Iterable[Pair], labels: Sequence[str] = ("uk", "ru")) -> dict[str, dict[str, int]]:
    """counts[expected][got] for messages labelled with one of `labels`; other replies count under 'other'."""
    table = {exp: {got: 0 for got in (*labels, "other")} for exp in labels}
    for item, out in pairs:
        if item.lang in table:
            table[item.lang][out.lang if out.lang in labels else "other"] += 1
    return table


def correct(item: DevItem, out: Outcome) -> bool:
    """Did the bot do the right thing for this message's label (ignoring the reply language)?"""
    if item.is_faq:
        return out.faq_id == item.expect
    if item.expect == OUT_OF_SCOPE:
        return out.declined
    if item.expect == HANDOFF:
        return handoff_hit(out)
    if item.expect == EMERGENCY:
        return out.intent == EMERGENCY
    return out.intent == item.expect


def describe(out: Outcome) -> str:
    """A short human-readable form of an outcome, for the misses table."""
    if out.kind == "answer":
        return f"faq:{out.faq_id}"
    if out.kind == "suggest":
        return "did you mean: " + ", ".join(out.candidates)
    if out.kind == "declined":
        return "out_of_scope" if out.intent == OUT_OF_SCOPE else "fallback"
    extra = f" (+faq:{out.faq_id})" if out.faq_id else ""
    return f"{out.intent}{extra}" + (" +handoff" if out.handoff and out.intent != HANDOFF else "")


def _what(item: DevItem) -> str:
    if item.is_faq:
        return "faq"
    return "small_talk" if item.expect in SMALL_TALK else item.expect


def misses(pairs: Iterable[Pair]) -> list[Miss]:
    """Every message with a wrong decision or a wrong reply language (a message can appear twice)."""
    found = []
    for item, out in pairs:
        if not correct(item, out):
            found.append(Miss(item.text, item.lang, item.style, item.expect, describe(out), _what(item)))
        if out.lang != item.lang:
            found.append(Miss(item.text, item.lang, item.style, item.lang, out.lang, "lang"))
    return found


def top1_by_lang(items: Sequence[DevItem], predicted: Sequence[str | None]) -> dict[str, tuple[int, int]]:
    """(right, n) of argmax predictions against the expected FAQ ids, per language and 'all'."""
    counts: dict[str, list[int]] = {}
    for item, guess in zip(items, predicted, strict=True):
        for key in (item.lang, ALL):
            bucket = counts.setdefault(key, [0, 0])
            bucket[0] += int(guess == item.expect)
            bucket[1] += 1
    return {key: (c[0], c[1]) for key, c in counts.items()}
