"""From a message's text to a decision: emergency, a non-FAQ intent, an FAQ answer, 'did you mean', or fallback."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from nlu.emergency_terms import is_emergency
from nlu.embeddings import Embedder
from nlu.language_model import LanguageModel
from nlu.intents import EMERGENCY, FAQ_INTENT, OUT_OF_SCOPE, IntentClassifier, IntentResult
from nlu.rasa_data import IntentExample, load_nlu_file
from retrieval.index import FaqIndex, Hit
from retrieval.loader import NLU_FILE, FaqCollection, load_faq
from retrieval.schema import LANGS

HANDOFF = "human_handoff"
SMALL_TALK = ("greet", "goodbye", "thanks", "bot_capabilities", "change_language")


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on classifier margins; calibrated with `python -m bench.run` (see bench/README.md)."""

    answer: float = -0.6
    suggest: float = -0.85
    suggest_spread: float = 0.35
    intent: float = -0.35
    dense_weight: float = 2.0
    dense_centre: float = 0.85
    grounded: float = 0.865
    ungrounded: float = 0.855


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
    language_model: LanguageModel


def training_pairs(collection: FaqCollection, examples: tuple[IntentExample, ...]) -> tuple[list[str], list[str]]:
    """(texts, labels): every FAQ title and question labelled with its entry id, plus the nlu.yml intents."""
    texts = [e.text for e in examples]
    labels = [e.intent for e in examples]
    for entry in collection.entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None:
                texts.extend([loc.title, *loc.questions])
                labels.extend([entry.id] * (1 + len(loc.questions)))
    return texts, labels


def build_knowledge(faq_dir: Path, embedder: Embedder, cache_dir: Path | None = None) -> Knowledge:
    """Load and validate the FAQ and nlu.yml, embed, build the index and train the classifier."""
    collection = load_faq(faq_dir)
    examples = tuple(load_nlu_file(faq_dir / NLU_FILE))
    index = FaqIndex.from_entries(collection.entries, embedder)
    texts, labels = training_pairs(collection, examples)
    classifier = IntentClassifier.train(embedder, texts, labels, cache_dir=cache_dir)
    lang_texts, langs = language_pairs(collection)
    language_model = LanguageModel.train(lang_texts, langs, cache_dir=cache_dir)
    return Knowledge(collection, index, classifier, examples, language_model)


def language_pairs(collection: FaqCollection) -> tuple[list[str], list[str]]:
    """(texts, languages): every FAQ title and question with the language block it is written in."""
    texts: list[str] = []
    langs: list[str] = []
    for entry in collection.entries:
        for lang in LANGS:
            loc = entry.text(lang)
            if loc is not None:
                texts.extend([loc.title, *loc.questions])
                langs.extend([lang] * (1 + len(loc.questions)))
    return texts, langs


class Answerer:
    """Understands messages against the current Knowledge; `reload` swaps in new knowledge atomically."""

    def __init__(self, embedder: Embedder, knowledge: Knowledge, thresholds: Thresholds | None = None,
                 cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        self._knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.cache_dir = cache_dir
        self._reload_lock = threading.Lock()

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge currently serving."""
        return self._knowledge

    def reload(self, faq_dir: Path) -> Knowledge:
        """Build new knowledge from `faq_dir`; on any error the old one keeps serving and the error is raised."""
        with self._reload_lock:
            fresh = build_knowledge(faq_dir, self.embedder, self.cache_dir)
            self._knowledge = fresh
            return fresh

    def decide(self, text: str) -> Decision:
        """Decide what to do with one message's text."""
        knowledge = self._knowledge
        vec = self.embedder.embed_queries([text])[0]
        hits = tuple(knowledge.index.search(text, vec, k=len(knowledge.index.entries)))
        ranked = self._combine(knowledge.classifier.classify(text, vec), hits, set(knowledge.index.entries))
        faq = self._faq_decision(ranked, hits, set(knowledge.index.entries))
        if is_emergency(text):
            return Decision("intent", EMERGENCY, faq.faq_id, faq.candidates, 1.0, hits)
        th = self.thresholds
        label, score = ranked[0]
        if label in (EMERGENCY, HANDOFF, *SMALL_TALK) and score >= th.intent:
            return Decision("intent", label, confidence=score, hits=hits)
        if label == OUT_OF_SCOPE:
            return Decision("fallback", OUT_OF_SCOPE, confidence=score, hits=hits)
        return faq

    def _combine(self, result: IntentResult, hits: tuple[Hit, ...], faq_ids: set[str]) -> list[tuple[str, float]]:
        """Classifier margins, with FAQ labels nudged by their nearest-question similarity."""
        th = self.thresholds
        dense = {h.entry_id: h.dense for h in hits}
        combined = [(label, score + (th.dense_weight * (dense.get(label, th.dense_centre) - th.dense_centre)
                                     if label in faq_ids else 0.0)) for label, score in result.ranked]
        return sorted(combined, key=lambda item: item[1], reverse=True)

    def _faq_decision(self, ranked: list[tuple[str, float]], hits: tuple[Hit, ...], faq_ids: set[str]) -> Decision:
        th = self.thresholds
        faq_ranked = [(label, score) for label, score in ranked if label in faq_ids]
        if not faq_ranked:
            return Decision("fallback", OUT_OF_SCOPE, hits=hits)
        best, score = faq_ranked[0]
        # How close the message is to any FAQ question: gibberish and chit-chat sit below ~0.85.
        nearest = max((h.dense for h in hits), default=0.0)
        named = any(h.keyword > 0 for h in hits if h.entry_id == best)
        if nearest < th.ungrounded and not named:
            return Decision("fallback", OUT_OF_SCOPE, confidence=score, hits=hits)
        if score >= th.answer and (nearest >= th.grounded or named):
            return Decision("answer", FAQ_INTENT, best, (best,), score, hits)
        if score >= th.suggest:
            close = tuple(label for label, s in faq_ranked[:3] if score - s <= th.suggest_spread)
            return Decision("suggest", FAQ_INTENT, None, close, score, hits)
        return Decision("fallback", FAQ_INTENT, confidence=score, hits=hits)
