"""The benchmark's dev set is well-formed and its metric functions compute the right numbers (no full run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import metrics
from bench.baselines import best_entry, faq_documents, word_tokens
from bench.devset import (
    DEVSET,
    NON_FAQ_LABELS,
    OUT_OF_SCOPE,
    DevItem,
    DevsetError,
    faq_example_texts,
    label_problems,
    leaked,
    load_devset,
    parse_line,
)
from bench.metrics import Outcome
from bench.quality import outcome_from_replies
from bench.report import render
from bench.targets import check
from bot.messages import Button, ConversationKey, Reply
from retrieval.loader import FaqCollection, load_faq
from retrieval.schema import LANGS

FAQ_DIR = Path(__file__).resolve().parent.parent / "faq_data"


@pytest.fixture(scope="module")
def devset() -> list[DevItem]:
    return load_devset(DEVSET)


@pytest.fixture(scope="module")
def collection() -> FaqCollection:
    return load_faq(FAQ_DIR)


# --- the dev set -------------------------------------------------------------------------------------------


def test_devset_lines_have_all_fields(devset: list[DevItem]) -> None:
    assert len(devset) >= 200
    assert all(item.text.strip() and item.lang and item.expect and item.style for item in devset)


def test_devset_labels_are_faq_ids_or_known_intents(devset: list[DevItem], collection: FaqCollection) -> None:
    assert label_problems(devset, {e.id for e in collection.entries}) == []


def test_devset_covers_languages_and_out_of_scope(devset: list[DevItem]) -> None:
    assert {item.lang for item in devset} == set(LANGS)
    assert sum(1 for item in devset if item.expect == OUT_OF_SCOPE) >= 30
    assert {"human_handoff", "emergency"} <= {item.expect for item in devset}


def test_devset_is_kept_apart_from_the_faq_example_questions(devset: list[DevItem],
                                                             collection: FaqCollection) -> None:
    copies = leaked(devset, faq_example_texts(collection))
    if copies:
        listing = "\n".join(f"  {i.text!r} ({i.expect})" for i in copies)
        pytest.fail(f"{len(copies)} dev-set lines equal FAQ example questions (lowercased); reword the FAQ "
                    f"question or the dev-set line:\n{listing}")


def test_a_broken_devset_line_names_the_line() -> None:
    with pytest.raises(DevsetError, match="line 7: missing or empty field"):
        parse_line('{"text": "hi", "lang": "en", "expect": "greet"}', 7)
    with pytest.raises(DevsetError, match="line 2: not valid JSON"):
        parse_line("{text", 2)


def test_unknown_labels_are_reported() -> None:
    items = [DevItem("x", "de", "nope", "poetry")]
    problems = label_problems(items, {"pesel"})
    assert len(problems) == 3 and "nope" in problems[2]


# --- metrics on a tiny hand-made example -------------------------------------------------------------------


def item(text: str, lang: str, expect: str, style: str = "plain") -> DevItem:
    return DevItem(text, lang, expect, style)


PAIRS: list[metrics.Pair] = [
    (item("a", "uk", "pesel"), Outcome("uk", "faq", "pesel")),  # right
    (item("b", "uk", "pesel", "typo"), Outcome("ru", "faq", None, candidates=("meldunek", "pesel"))),
    (item("c", "ru", "meldunek"), Outcome("ru", "faq", "pesel")),  # wrong entry
    (item("d", "ru", "meldunek", "typo"), Outcome("ru", "faq", None, handoff=True)),  # fallback: declined
    (item("e", "en", OUT_OF_SCOPE), Outcome("en", OUT_OF_SCOPE)),  # declined, right
    (item("f", "en", OUT_OF_SCOPE), Outcome("en", "faq", "pesel")),  # answered: missed out of scope
    (item("g", "pl", "human_handoff"), Outcome("pl", "human_handoff", handoff=True)),
    (item("h", "pl", "human_handoff"), Outcome("pl", "faq", None, handoff=True)),  # fallback offers advisor
    (item("i", "uk", "emergency"), Outcome("uk", "emergency", "psychological_help", handoff=True)),
    (item("j", "ru", "emergency"), Outcome("uk", "faq", "psychological_help")),  # missed
    (item("k", "en", "greet"), Outcome("en", "greet")),
    (item("l", "en", "thanks"), Outcome("en", "goodbye")),
]


def test_outcome_kinds() -> None:
    assert Outcome("uk", "faq", "pesel").kind == "answer"
    assert Outcome("uk", "faq", None, candidates=("a",)).kind == "suggest"
    assert Outcome("uk", "faq").kind == "declined"
    assert Outcome("uk", OUT_OF_SCOPE).kind == "declined"
    assert Outcome("uk", "greet").kind == "intent"
    assert Outcome("uk", "emergency", "pesel").kind == "intent"


def test_faq_top1_per_language_and_overall() -> None:
    scores = metrics.faq_scores(PAIRS)
    assert set(scores) == {"uk", "ru", "all"}
    assert (scores["uk"].n, scores["uk"].correct, scores["uk"].suggested) == (2, 1, 1)
    assert scores["uk"].top1 == 0.5 and scores["uk"].suggested_rate == 0.5
    assert (scores["ru"].correct, scores["ru"].declined, scores["ru"].wrong) == (0, 1, 1)
    assert scores["all"] == metrics.FaqScore(4, 1, 1, 1, 1)
    assert scores["all"].top1 == 0.25


def test_faq_top1_by_style() -> None:
    scores = metrics.faq_scores(PAIRS, group=lambda i: i.style)
    assert scores["plain"] == metrics.FaqScore(2, 1, 0, 0, 1)
    assert scores["typo"] == metrics.FaqScore(2, 0, 1, 1, 0)


def test_out_of_scope_precision_and_recall() -> None:
    score = metrics.out_of_scope_score(PAIRS)
    # declined: d (fallback on an FAQ question), e (right), h (fallback on a handoff request)
    assert (score.tp, score.fp, score.fn) == (1, 2, 1)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == 0.5


def test_handoff_and_emergency_recall() -> None:
    hand = metrics.handoff_score(PAIRS)
    assert hand.recall == 1.0
    assert hand.fp == 2  # the fallback on d, and the emergency on i, also offer a person
    emer = metrics.emergency_score(PAIRS)
    assert (emer.tp, emer.fn, emer.fp) == (1, 1, 0)
    assert emer.recall == 0.5


def test_small_talk_and_end_to_end() -> None:
    assert metrics.small_talk_score(PAIRS) == (1, 2)
    assert sum(metrics.correct(i, o) for i, o in PAIRS) == 6  # a, e, g, h, i, k


def test_language_accuracy_and_uk_ru_confusion() -> None:
    langs = metrics.language_scores(PAIRS)
    assert langs["uk"] == (2, 3) and langs["ru"] == (2, 3) and langs["all"] == (10, 12)
    assert metrics.confusion(PAIRS) == {"uk": {"uk": 2, "ru": 1, "other": 0},
                                        "ru": {"uk": 1, "ru": 2, "other": 0}}


def test_misses_list_wrong_decisions_and_wrong_languages() -> None:
    found = metrics.misses(PAIRS)
    assert [(m.text, m.what) for m in found] == [
        ("b", "faq"), ("b", "lang"), ("c", "faq"), ("d", "faq"), ("f", OUT_OF_SCOPE), ("j", "emergency"),
        ("j", "lang"), ("l", "small_talk")]
    by_text = {(m.text, m.what): m for m in found}
    assert by_text[("b", "faq")].got == "did you mean: meldunek, pesel"
    assert by_text[("d", "faq")].got == "fallback"
    assert by_text[("b", "lang")].got == "ru"


def test_percentile_interpolates_like_numpy() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0, 10.0, 7.0]
    for q in (0, 50, 95, 100):
        assert metrics.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert metrics.percentile([2.0], 95) == 2.0


def test_baseline_top1_by_language() -> None:
    items = [item("a", "uk", "pesel"), item("b", "uk", "meldunek"), item("c", "en", "pesel")]
    assert metrics.top1_by_lang(items, ["pesel", None, "pesel"]) == {"uk": (1, 2), "en": (1, 1),
                                                                     "all": (2, 3)}


def test_baseline_helpers(collection: FaqCollection) -> None:
    texts, owners = faq_documents(collection.entries)
    assert len(texts) == len(owners) and set(owners) == {e.id for e in collection.entries}
    assert word_tokens("Jak złożyć PESEL-u?") == ["jak", "złożyć", "pesel", "u"]
    assert best_entry(np.array([0.1, 0.7, 0.3]), ["a", "b", "c"]) == "b"
    assert best_entry(np.zeros(3), ["a", "b", "c"]) is None


def test_outcome_is_read_like_answer_jsonl() -> None:
    suggest = Reply("did you mean", [[Button("PESEL", "faq:pesel")], [Button("Meldunek", "faq:meldunek")],
                                     [Button("rephrase", "rephrase"), Button("advisor", "human")]],
                    meta={"lang": "uk", "intent": "faq", "faq_id": None, "confidence": -0.7,
                          "handoff": False})
    assert outcome_from_replies([suggest]) == Outcome("uk", "faq", None, False, ("pesel", "meldunek"))
    advisors = Reply("ticket", to=ConversationKey("telegram", "-100"), meta={"handoff": True})
    emergency = Reply("112", meta={"lang": "ru", "intent": "emergency", "faq_id": None, "handoff": True})
    assert outcome_from_replies([advisors, emergency]) == Outcome("ru", "emergency", None, True)


def test_report_renders_and_checks_targets() -> None:
    from bench.quality import latency_figures, quality_figures

    results = {
        "run": {"date": "d", "python": "3.11", "cpus": 2, "load_before": "0", "load_after": "0",
                "embedder": "e", "faq_entries": 2, "devset": "x", "seconds": 1.0},
        "quality": quality_figures(PAIRS),
        "devset": {"lines": 12, "faq_lines": 4, "out_of_scope": 2, "handoff": 2, "emergency": 2,
                   "small_talk": 2,
                   "leaked_questions": [], "leaked_titles": [], "leaked_nlu": ["hi"]},
        "speed": {"latency": latency_figures([0.010, 0.020, 0.030]), "build_in_process_s": 1.0},
        "memory": {"bot_process_mb": 300.0, "bench_end_mb": 310.0},
        "baselines": [{"name": "BM25", "status": "not installed"}],
    }
    results["targets"] = check(results)
    met = {t["name"]: t["met"] for t in results["targets"]}
    assert met["top-1 FAQ accuracy"] is False and met["latency p95 (warm)"] is True
    assert met["peak RSS (bot process, warm-start process)"] is True
    assert met["warm start (fresh process to first answer, warm caches)"] is None
    text = render(results)
    assert "| uk | 2 | 0.500 |" in text and "not installed" in text and "## Misses (8)" in text


def test_non_faq_labels_are_not_faq_ids(collection: FaqCollection) -> None:
    assert not set(NON_FAQ_LABELS) & {e.id for e in collection.entries}
