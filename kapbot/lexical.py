"""Okapi BM25 over kapbot's index units: the lexical half of hybrid retrieval. Pure Python."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from kapbot.text import words


class BM25:
    """BM25 with scores squashed to 0..1 (``s / (s + saturation)``) so they can be fused with
    cosine similarities on an absolute scale, not only ranked."""

    def __init__(
        self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75, saturation: float = 6.0,
        ignore: frozenset[str] = frozenset(),
    ) -> None:
        self.k1, self.b, self.saturation = k1, b, saturation
        self.ignore = ignore  # words that say nothing about the topic (the practice's names)
        self._docs = [Counter(w for w in words(t) if w not in ignore) for t in texts]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # term -> [(doc index, term frequency)]: a query touches only the documents it shares
        # a word with, so scoring stays fast as the corpus grows
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(self._docs):
            for term, tf in doc.items():
                self._postings.setdefault(term, []).append((i, tf))

    def __len__(self) -> int:
        return len(self._docs)

    def sparse(self, query: str) -> dict[int, float]:
        """Scores of the documents that share a word with ``query`` (index → 0..1); every other
        document scores 0. Touches only those documents, so it stays fast on a large corpus."""
        raw: dict[int, float] = {}
        for term in set(words(query)) - self.ignore:
            idf = self._idf.get(term, 0.0)
            for i, tf in self._postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self._lengths[i] / (self._avg or 1.0))
                raw[i] = raw.get(i, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        return {i: r / (r + self.saturation) for i, r in raw.items() if r}

    def scores(self, query: str) -> list[float]:
        """Every document's score, in order."""
        out = [0.0] * len(self._docs)
        for i, score in self.sparse(query).items():
            out[i] = score
        return out
