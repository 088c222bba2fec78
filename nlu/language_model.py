"""A character n-gram language model trained on the FAQ's own questions, which include transliterated and
code-mixed ones; it backs up the rules in `nlu.language` where they are weakest (Latin-script uk/ru)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.model_cache import cached_model, training_key

CACHE_VERSION = "lang-lr-1"


class LanguageModel:
    """Predicts uk / ru / pl / en from character n-grams, with a probability."""

    def __init__(self, vectorizer: TfidfVectorizer, model: LogisticRegression) -> None:
        self._vectorizer = vectorizer
        self._model = model

    @classmethod
    def train(cls, texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None = None) -> LanguageModel:
        """Fit on (text, language) pairs, or load the cached fit of the same data."""

        def fit() -> LanguageModel:
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
            model = LogisticRegression(C=20, max_iter=2000)
            model.fit(vectorizer.fit_transform([t.lower() for t in texts]), list(langs))
            return cls(vectorizer, model)

        return cached_model(cache_dir, "language", training_key(CACHE_VERSION, texts, langs), cls, fit)

    def predict(self, text: str) -> tuple[str, float]:
        """The most likely language and its probability."""
        probs = self._model.predict_proba(self._vectorizer.transform([text.lower()]))[0]
        best = int(probs.argmax())
        return str(self._model.classes_[best]), float(probs[best])
