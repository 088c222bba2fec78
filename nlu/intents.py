"""Classify a message into an FAQ entry or a non-FAQ intent: a linear SVM over sentence embeddings plus
character n-grams of the script-independent skeleton (which carries transliteration and typos)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from nlu.embeddings import Embedder
from nlu.model_cache import cached_model, training_key
from nlu.normalise import skeleton

OUT_OF_SCOPE = "out_of_scope"
EMERGENCY = "emergency"
FAQ_INTENT = "faq"
CACHE_VERSION = "svm-1"


@dataclass(frozen=True)
class IntentResult:
    """Labels ranked by score (SVM margins: higher is surer; around 0 is the decision boundary)."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def intent(self) -> str:
        """The best label."""
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        """The best label's score."""
        return self.ranked[0][1]

    def score(self, label: str) -> float:
        """The score of one label (-inf when unknown)."""
        return next((s for name, s in self.ranked if name == label), float("-inf"))


class IntentClassifier:
    """Trained from (text, label) pairs; `classify` takes the text and its query embedding."""

    def __init__(self, model: LinearSVC, chars: TfidfVectorizer, char_weight: float) -> None:
        self._model = model
        self._chars = chars
        self._char_weight = char_weight
        self.labels: list[str] = [str(x) for x in model.classes_]

    @classmethod
    def train(cls, embedder: Embedder, texts: Sequence[str], labels: Sequence[str], cache_dir: Path | None = None,
              char_weight: float = 1.0, c: float = 1.0) -> IntentClassifier:
        """Fit on the examples (their embeddings come from the embedder's cache); reuse a cached model."""
        key = training_key(CACHE_VERSION, embedder.model_id, f"{char_weight}/{c}", texts, labels)

        def fit() -> IntentClassifier:
            vectors = embedder.embed_queries(list(texts))
            chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)
            char_matrix = chars.fit_transform([skeleton(t) for t in texts])
            model = LinearSVC(C=c)
            model.fit(hstack([csr_matrix(vectors), char_matrix * char_weight]).tocsr(), list(labels))
            return cls(model, chars, char_weight)

        return cached_model(cache_dir, "classifier", key, cls, fit)

    def classify(self, text: str, query_vec: np.ndarray) -> IntentResult:
        """Every label's score for one message, best first."""
        features = hstack([csr_matrix(query_vec.reshape(1, -1)),
                           self._chars.transform([skeleton(text)]) * self._char_weight]).tocsr()
        scores = self._model.decision_function(features)[0]
        order = np.argsort(-scores)
        return IntentResult(tuple((self.labels[i], float(scores[i])) for i in order))
