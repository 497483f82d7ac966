"""Character n-grams of a message, TF-IDF weighted: the classifier's second kind of feature,
beside the sentence vectors. Vectors give meaning; n-grams give the words themselves ("years
ago", "not suicidal", "ahorita", misspellings), which the vectors blur. Leave-one-writer-out on
the training data (16 writers): at crisis recall 0.985, other messages reaching the concern
threshold went from 0.203 (vectors alone) to 0.141 (vectors and n-grams); at the urgent threshold
0.8, from 0.019 to 0.012.

Fitting uses scikit-learn's ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
sublinear_tf=True)`` (``kapbot.safety.classifier``, when training); answering recomputes the same
rows here, in plain Python, from the saved vocabulary and idf, so a serving process never imports
scikit-learn or scipy. ``tests/test_safety_screen.py`` checks the two agree.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SIZES = (2, 5)  # shortest and longest n-gram, in characters, within a word and its edges
MIN_DF = 2  # an n-gram in fewer training messages is not learned
MAX_FEATURES = 60_000
NAME = f"char_wb{SIZES[0]}-{SIZES[1]}:min_df={MIN_DF}:max={MAX_FEATURES}"
_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class CharNgrams:
    vocabulary: dict[str, int]  # n-gram -> column
    idf: Any  # numpy float32 (columns,)

    def __len__(self) -> int:
        return len(self.vocabulary)

    def rows(self, texts: Sequence[str]) -> list[dict[int, float]]:
        """One sparse row per text: column -> weight (unit length), as the fitted vectorizer
        gives it."""
        out: list[dict[int, float]] = []
        for text in texts:
            counts = Counter(i for g in grams(text) if (i := self.vocabulary.get(g)) is not None)
            row = {i: (1.0 + math.log(n)) * float(self.idf[i]) for i, n in counts.items()}
            norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
            out.append({i: v / norm for i, v in row.items()})
        return out


def grams(text: str) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer, lower-cased: the n-grams of each word padded with a
    space on both sides; a word shorter than n counts once."""
    text = _SPACES.sub(" ", text.lower())
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in range(SIZES[0], SIZES[1] + 1):
            offset = 0
            out.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                out.append(padded[offset : offset + n])
            if offset == 0:
                break
    return out
