"""The editors' report of unanswered questions: redacted, grouped by meaning across languages, counted."""

from __future__ import annotations

import datetime as dt

from bot.answering import Answerer
from bot.messages import ConversationKey
from bot.reports import group_by_meaning, unanswered_report
from bot.store import LoggedQuestion, MemoryStore


def logged(text: str, lang: str, outcome: str = "fallback", day: int = 1) -> LoggedQuestion:
    when = dt.datetime(2026, 11, day, 12, tzinfo=dt.UTC)
    return LoggedQuestion(when, ConversationKey("t", text[:5]), lang, text, "faq", None, -1.0, outcome)


def test_same_question_in_two_languages_forms_one_group(answerer: Answerer) -> None:
    items = [logged("how to get a fishing licence in Poland", "en"),
             logged("як отримати ліцензію на риболовлю в Польщі", "uk"),
             logged("jak zdobyć kartę wędkarską w Polsce", "pl"),
             logged("where can I buy a used car", "en")]
    groups = group_by_meaning(items, answerer.embedder)
    assert groups[0].count == 3
    assert {q.lang for q in groups[0].questions} == {"en", "uk", "pl"}


def test_report_lists_only_unanswered_with_counts_and_dates(answerer: Answerer) -> None:
    store = MemoryStore()
    store.log_question(logged("how to get a fishing licence", "en", day=2))
    store.log_question(logged("how to get pesel", "en", outcome="answer", day=3))
    report = unanswered_report(store, answerer.embedder, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert "fishing licence" in report and "how to get pesel" not in report
    assert "1×" in report and "2026-11-02" in report
