"""The FAQ search index: dense vectors in faiss plus script-independent lexical matching, scored per entry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import faiss
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.embeddings import Embedder
from nlu.normalise import skeleton
from retrieval.schema import LANGS, FaqEntry


@dataclass(frozen=True)
class Hit:
    """One FAQ entry's score for a query, with its parts."""

    entry_id: str
    score: float
    dense: float
    chars: float
    keyword: float


@dataclass(frozen=True)
class ScoreWeights:
    """How the parts add up: score = dense + chars * w_chars + keyword * w_keyword."""

    chars: float = 0.10
    keyword: float = 0.06


def _keyword_skeletons(entry: FaqEntry) -> list[tuple[str, ...]]:
    found = {tuple(skeleton(k).split()) for k in entry.keywords}
    return sorted(k for k in found if k)


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """Does the token list contain the phrase, allowing inflected endings on each word?"""
    return TokenIndex(tokens).contains(phrase)


class TokenIndex:
    """A query's tokens indexed by their possible stems, so matching many phrases stays linear in the text.

    Trying every phrase at every position took seconds of pure Python (holding the GIL) for a long message.
    """

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self._exact: defaultdict[str, list[int]] = defaultdict(list)
        self._stems: defaultdict[str, list[int]] = defaultdict(list)  # stem -> tokens _same_word would accept
        for i, token in enumerate(tokens):
            self._exact[token].append(i)
            for size in range(max(4, len(token) - 3), len(token) + 1):
                self._stems[token[:size]].append(i)

    def _starts(self, word: str) -> list[int]:
        """Positions of the tokens that `_same_word` accepts for `word`."""
        found = list(self._exact.get(word, ()))
        if len(word) >= 4:
            found += self._stems.get(word[:-1] if len(word) > 4 else word, ())
        return sorted(set(found))

    def contains(self, phrase: tuple[str, ...]) -> bool:
        """Does the text contain the phrase, allowing inflected endings on each word?"""
        n = len(phrase)
        if n == 0:
            return True  # as the scan over every start position answered
        tokens = self.tokens
        for start in self._starts(phrase[0]):
            if start + n <= len(tokens) and all(
                    _same_word(tokens[start + i], phrase[i]) for i in range(1, n)):
                return True
        return False


def _same_word(token: str, word: str) -> bool:
    if token == word:
        return True
    stem = word[:-1] if len(word) > 4 else word
    return len(word) >= 4 and token.startswith(stem) and len(token) - len(stem) <= 3


class FaqIndex:
    """Built once from entries and an embedder; immutable, so a reload swaps in a new one atomically."""

    def __init__(self, entries: list[FaqEntry], doc_entry: list[str], vectors: np.ndarray,
                 chars: TfidfVectorizer, char_matrix: object, keywords: dict[str, list[tuple[str, ...]]],
                 weights: ScoreWeights) -> None:
        self.entries = {e.id: e for e in entries}
        self._doc_entry = doc_entry
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)
        self._chars = chars
        self._char_matrix = char_matrix
        self._keywords = keywords
        self.weights = weights

    @classmethod
    def from_entries(cls, entries: list[FaqEntry], embedder: Embedder,
                     weights: ScoreWeights | None = None) -> FaqIndex:
        """Embed every entry's titles and questions (all languages) and build the index."""
        doc_entry: list[str] = []
        texts: list[str] = []
        for entry in entries:
            for lang in LANGS:
                loc = entry.text(lang)
                if loc is None:
                    continue
                for text in [loc.title, *loc.questions]:
                    doc_entry.append(entry.id)
                    texts.append(text)
        vectors = np.ascontiguousarray(embedder.embed_queries(texts), dtype=np.float32)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        char_matrix = chars.fit_transform([skeleton(t) for t in texts])
        keywords = {e.id: _keyword_skeletons(e) for e in entries}
        return cls(entries, doc_entry, vectors, chars, char_matrix, keywords, weights or ScoreWeights())

    @property
    def size(self) -> int:
        """Number of indexed texts."""
        return int(self._index.ntotal)

    def search(self, text: str, query_vec: np.ndarray, k: int = 5) -> list[Hit]:
        """The k best entries for a query, best first."""
        if self.size == 0:
            return []
        n = min(self.size, 60)
        sims, ids = self._index.search(query_vec.reshape(1, -1).astype(np.float32), n)
        dense: dict[str, float] = defaultdict(float)
        for sim, idx in zip(sims[0], ids[0], strict=True):
            if idx < 0:
                continue
            entry_id = self._doc_entry[idx]
            dense[entry_id] = max(dense[entry_id], float(sim))
        skel = skeleton(text)
        char_scores: dict[str, float] = defaultdict(float)
        if skel:
            row = (self._char_matrix @ self._chars.transform([skel]).T).toarray().ravel()
            for idx in np.argsort(-row)[:40]:
                entry_id = self._doc_entry[idx]
                char_scores[entry_id] = max(char_scores[entry_id], float(row[idx]))
        tokens = TokenIndex(skel.split())
        keyword_scores = {eid: 1.0 for eid, phrases in self._keywords.items()
                          if any(tokens.contains(p) for p in phrases)}
        floor = min(dense.values()) if dense else 0.0
        candidates = set(dense) | set(keyword_scores) | set(char_scores)
        hits = []
        for eid in candidates:
            d = dense.get(eid, floor)
            c = char_scores.get(eid, 0.0)
            kw = keyword_scores.get(eid, 0.0)
            hits.append(Hit(eid, d + self.weights.chars * c + self.weights.keyword * kw, d, c, kw))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
