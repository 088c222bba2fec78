"""From a message's text to a decision: emergency, a non-FAQ intent, an FAQ answer, 'did you mean', or fallback."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from nlu.emergency_terms import is_emergency
from nlu.embeddings import Embedder
from nlu.intents import EMERGENCY, FAQ_INTENT, OUT_OF_SCOPE, IntentClassifier
from nlu.rasa_data import IntentExample, load_nlu_file
from retrieval.index import FaqIndex, Hit
from retrieval.loader import NLU_FILE, FaqCollection, load_faq
from retrieval.schema import LANGS

HANDOFF = "human_handoff"
SMALL_TALK = ("greet", "goodbye", "thanks", "bot_capabilities", "change_language")


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the editors' test questions (see bench/README.md)."""

    answer: float = 0.89
    margin: float = 0.012
    answer_sure: float = 0.93
    suggest: float = 0.85
    suggest_spread: float = 0.03
    intent: float = 0.55
    out_of_scope: float = 0.5


@dataclass(frozen=True)
class Decision:
    """What the bot makes of one message."""

    kind: str  # "intent", "answer", "suggest", "fallback"
    intent: str
    faq_id: str | None = None
    candidates: tuple[str, ...] = ()
    confidence: float = 0.0
    hits: tuple[Hit, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Knowledge:
    """Everything loaded from `faq_data/`: swapped as one piece on reload."""

    collection: FaqCollection
    index: FaqIndex
    classifier: IntentClassifier
    intent_examples: tuple[IntentExample, ...]


def build_knowledge(faq_dir: Path, embedder: Embedder) -> Knowledge:
    """Load and validate the FAQ and nlu.yml, embed, build the index and train the intent classifier."""
    collection = load_faq(faq_dir)
    examples = tuple(load_nlu_file(faq_dir / NLU_FILE))
    index = FaqIndex.from_entries(collection.entries, embedder)
    texts = [e.text for e in examples]
    labels = [e.intent for e in examples]
    for entry in collection.entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None:
                texts.extend(loc.questions)
                labels.extend([FAQ_INTENT] * len(loc.questions))
    classifier = IntentClassifier.train(embedder, texts, labels)
    return Knowledge(collection, index, classifier, examples)


class Answerer:
    """Understands messages against the current Knowledge; `reload` swaps in new knowledge atomically."""

    def __init__(self, embedder: Embedder, knowledge: Knowledge, thresholds: Thresholds | None = None) -> None:
        self.embedder = embedder
        self._knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self._reload_lock = threading.Lock()

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge currently serving."""
        return self._knowledge

    def reload(self, faq_dir: Path) -> Knowledge:
        """Build new knowledge from `faq_dir`; on any error the old one keeps serving and the error is raised."""
        with self._reload_lock:
            fresh = build_knowledge(faq_dir, self.embedder)
            self._knowledge = fresh
            return fresh

    def decide(self, text: str) -> Decision:
        """Decide what to do with one message's text."""
        knowledge = self._knowledge
        if is_emergency(text):
            return Decision("intent", EMERGENCY, confidence=1.0)
        vec = self.embedder.embed_queries([text])[0]
        intent = knowledge.classifier.classify(vec)
        hits = tuple(knowledge.index.search(text, vec, k=5))
        th = self.thresholds
        top = hits[0] if hits else None
        if intent.intent in (EMERGENCY, HANDOFF) and intent.confidence >= th.intent:
            return Decision("intent", intent.intent, confidence=intent.confidence, hits=hits)
        strong_faq = top is not None and (top.score >= th.answer_sure or top.keyword > 0)
        if intent.intent in SMALL_TALK and intent.confidence >= th.intent and not strong_faq:
            return Decision("intent", intent.intent, confidence=intent.confidence, hits=hits)
        if intent.intent == OUT_OF_SCOPE and intent.confidence >= th.out_of_scope and not strong_faq:
            return Decision("fallback", OUT_OF_SCOPE, confidence=intent.confidence, hits=hits)
        return self._faq_decision(hits, intent.prob(FAQ_INTENT))

    def _faq_decision(self, hits: tuple[Hit, ...], p_faq: float) -> Decision:
        th = self.thresholds
        if not hits:
            return Decision("fallback", OUT_OF_SCOPE, hits=hits)
        top = hits[0]
        second = hits[1].score if len(hits) > 1 else 0.0
        clear = top.score - second >= th.margin or top.score >= th.answer_sure
        if top.score >= th.answer and clear:
            return Decision("answer", FAQ_INTENT, top.entry_id, (top.entry_id,), top.score, hits)
        if top.score >= th.suggest:
            close = tuple(h.entry_id for h in hits[:3] if top.score - h.score <= th.suggest_spread)
            if len(close) == 1:
                return Decision("answer", FAQ_INTENT, top.entry_id, close, top.score, hits)
            return Decision("suggest", FAQ_INTENT, None, close, top.score, hits)
        intent = OUT_OF_SCOPE if p_faq < 0.5 else FAQ_INTENT
        return Decision("fallback", intent, confidence=top.score, hits=hits)
