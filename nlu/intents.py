"""Intent classification: logistic regression over sentence embeddings, plus a keyword net for emergencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from nlu.embeddings import Embedder

FAQ_INTENT = "faq"
OUT_OF_SCOPE = "out_of_scope"
EMERGENCY = "emergency"


@dataclass(frozen=True)
class IntentResult:
    """The most likely intent, its probability, and the full distribution."""

    intent: str
    confidence: float
    scores: dict[str, float]

    def prob(self, intent: str) -> float:
        """The probability of one intent (0 when unknown)."""
        return self.scores.get(intent, 0.0)


class IntentClassifier:
    """Trained once from (text, intent) pairs; `classify` takes a query embedding."""

    def __init__(self, model: LogisticRegression, labels: list[str]) -> None:
        self._model = model
        self.labels = labels

    @classmethod
    def train(cls, embedder: Embedder, texts: Sequence[str], intents: Sequence[str],
              c: float = 8.0) -> IntentClassifier:
        """Fit on the examples' query embeddings (cached on disk by the embedder)."""
        vectors = embedder.embed_queries(list(texts))
        return cls.fit_vectors(vectors, intents, c)

    @classmethod
    def fit_vectors(cls, vectors: np.ndarray, intents: Sequence[str], c: float = 8.0) -> IntentClassifier:
        """Fit on ready embeddings."""
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(vectors, list(intents))
        return cls(model, [str(x) for x in model.classes_])

    def classify(self, query_vec: np.ndarray) -> IntentResult:
        """The intent distribution for one embedded message."""
        probs = self._model.predict_proba(query_vec.reshape(1, -1))[0]
        scores = {label: float(p) for label, p in zip(self.labels, probs, strict=True)}
        best = max(scores, key=scores.__getitem__)
        return IntentResult(best, scores[best], scores)
