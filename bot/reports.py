"""The editors' report of unanswered questions, grouped by meaning across languages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from bot.store import ConversationStore, LoggedQuestion
from nlu.embeddings import Embedder

UNANSWERED = ("fallback", "suggest")


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that mean roughly the same thing."""

    questions: list[LoggedQuestion]

    @property
    def count(self) -> int:
        """How many times it was asked."""
        return len(self.questions)


def group_by_meaning(questions: list[LoggedQuestion], embedder: Embedder,
                     threshold: float = 0.88) -> list[QuestionGroup]:
    """Greedy clustering on embeddings: a question joins the first group whose centre is close enough."""
    if not questions:
        return []
    vectors = embedder.embed_queries([q.text for q in questions])
    centres: list[np.ndarray] = []
    members: list[list[int]] = []
    for i, vec in enumerate(vectors):
        sims = [float(c @ vec) / (np.linalg.norm(c) or 1.0) for c in centres]
        best = int(np.argmax(sims)) if sims else -1
        if best >= 0 and sims[best] >= threshold:
            members[best].append(i)
            centres[best] = centres[best] + vec
        else:
            centres.append(vec.copy())
            members.append([i])
    groups = [QuestionGroup([questions[i] for i in idx]) for idx in members]
    return sorted(groups, key=lambda g: g.count, reverse=True)


def unanswered_report(store: ConversationStore, embedder: Embedder, since: dt.datetime) -> str:
    """Markdown: groups of unanswered or low-confidence questions with counts, languages and dates."""
    items = [q for q in store.questions(since) if q.outcome in UNANSWERED or q.intent == "out_of_scope"]
    groups = group_by_meaning(items, embedder)
    lines = [f"# Unanswered questions since {since.date()}", "",
             f"{len(items)} question(s) in {len(groups)} group(s). Identifiers are redacted.", ""]
    for group in groups:
        langs = ", ".join(sorted({q.lang for q in group.questions}))
        first = min(q.when for q in group.questions).date()
        last = max(q.when for q in group.questions).date()
        lines.append(f"## {group.count}× ({langs}; {first} – {last})")
        for q in group.questions[:5]:
            lines.append(f"- [{q.lang}] {q.text}  — {q.outcome}")
        lines.append("")
    return "\n".join(lines)
