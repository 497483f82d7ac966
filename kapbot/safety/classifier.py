"""The safety classifier: multinomial logistic regression over the features of a message (its
sentence vectors, ``kapbot.safety.features``, and its character n-grams, ``kapbot.safety.ngrams``),
trained from the labelled examples (``kapbot.safety.dataset``).

Training uses scikit-learn and scipy (imported here only, when training); answering uses the
saved weights in plain numpy: softmax(x · W + g · G + b), x the vectors, g the n-gram row.
Deterministic: the same examples and settings give the same weights. The model is saved as a
small ``.npz`` beside the index under the fingerprint of its data and settings, never committed,
and retrained when either changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot import npzfile
from kapbot.safety import ngrams as ngram_features
from kapbot.safety.dataset import LABELS
from kapbot.safety.ngrams import CharNgrams

C = 2.0  # inverse regularisation strength (chosen by leave-one-writer-out cross-validation)
# lbfgs stops when the gradient is this small: 1e-4 (scikit-learn's default) takes 53 iterations
# on the 10,279 training lines, 1e-6 took 123 (6 s against 14 s, each practice's first start and
# each `teach --not-crisis`); the crisis probabilities moved by 0.001 on average (at most 0.04)
TOL = 1e-4


@dataclass(frozen=True)
class SafetyModel:
    labels: tuple[str, ...]
    weights: Any  # numpy (vector features, labels)
    bias: Any  # numpy (labels,)
    fingerprint: str
    ngrams: CharNgrams
    ngram_weights: Any  # numpy (n-grams, labels)

    def probabilities(self, features: Any, texts: Sequence[str]) -> list[dict[str, float]]:
        """One ``{label: probability}`` per text: ``features`` holds the texts' vectors."""
        import numpy as np

        logits = np.asarray(features, dtype=np.float32) @ self.weights + self.bias
        for row, grams in enumerate(self.ngrams.rows(texts)):
            if grams:
                logits[row] += np.asarray(list(grams.values()), dtype=np.float32) @ \
                    self.ngram_weights[list(grams)]
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        odds /= odds.sum(axis=1, keepdims=True)
        return [{label: float(p) for label, p in zip(self.labels, row, strict=True)}
                for row in odds]


def fit_ngrams(texts: Sequence[str]) -> tuple[CharNgrams, Any]:
    """The n-grams of ``texts`` and their TF-IDF rows (a scipy sparse matrix)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_features.SIZES,
                                 min_df=ngram_features.MIN_DF, sublinear_tf=True,
                                 max_features=ngram_features.MAX_FEATURES, dtype=np.float32)
    matrix = vectorizer.fit_transform(list(texts))
    vocabulary = {str(g): int(i) for g, i in vectorizer.vocabulary_.items()}
    return CharNgrams(vocabulary, np.asarray(vectorizer.idf_, dtype=np.float32)), matrix


def ngram_matrix(ngrams: CharNgrams, texts: Sequence[str]) -> Any:
    """``ngrams.rows(texts)`` as a scipy sparse matrix."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows = ngrams.rows(texts)
    data = [v for r in rows for v in r.values()]
    cols = [i for r in rows for i in r]
    ptr = np.cumsum([0, *(len(r) for r in rows)])
    return csr_matrix((np.asarray(data, dtype=np.float32), cols, ptr),
                      shape=(len(rows), len(ngrams)))


def _inputs(features: Any, grams: Any) -> Any:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(np.asarray(features, dtype=np.float64)), grams]).tocsr()


def _fit(x: Any, labels: Sequence[str], weights: Sequence[float], c: float) -> Any:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, tol=TOL)
    model.fit(x, list(labels), sample_weight=np.asarray(weights, dtype=np.float64))
    return model


def train(features: Any, texts: Sequence[str], labels: Sequence[str], weights: Sequence[float],
          fingerprint: str, c: float = C) -> SafetyModel:
    import numpy as np

    grams, grams_matrix = fit_ngrams(texts)
    fitted = _fit(_inputs(features, grams_matrix), labels, weights, c)
    order = [list(fitted.classes_).index(label) for label in LABELS if label in fitted.classes_]
    coef = np.asarray(fitted.coef_[order].T, dtype=np.float32)
    dims = np.asarray(features).shape[1]
    return SafetyModel(
        tuple(str(fitted.classes_[i]) for i in order), coef[:dims],
        np.asarray(fitted.intercept_[order], dtype=np.float32), fingerprint, grams, coef[dims:],
    )


def cross_validate(features: Any, texts: Sequence[str], labels: Sequence[str],
                   weights: Sequence[float], groups: Sequence[str], c: float = C
                   ) -> list[dict[str, float]]:
    """Out-of-group probabilities: each writer's messages scored by a model trained on the
    other writers' (how the screen does on a writer it has never seen); the n-grams too are
    learned from the other writers only."""
    import numpy as np

    x = np.asarray(features, dtype=np.float64)
    out: list[dict[str, float]] = [{} for _ in labels]
    for group in sorted(set(groups)):
        held = np.array([g == group for g in groups])
        grams, train_grams = fit_ngrams([t for t, h in zip(texts, held, strict=True)
                                                 if not h])
        fitted = _fit(_inputs(x[~held], train_grams),
                      [lb for lb, h in zip(labels, held, strict=True) if not h],
                      [w for w, h in zip(weights, held, strict=True) if not h], c)
        test = _inputs(x[held], ngram_matrix(
            grams, [t for t, h in zip(texts, held, strict=True) if h]))
        for i, row in zip(np.flatnonzero(held), fitted.predict_proba(test), strict=True):
            out[i] = {str(label): float(p) for label, p in zip(fitted.classes_, row, strict=True)}
    return out


def save(model: SafetyModel, path: Path) -> None:
    import numpy as np

    grams = sorted(model.ngrams.vocabulary, key=model.ngrams.vocabulary.__getitem__)
    npzfile.save(path, model.fingerprint, labels=np.array(model.labels), weights=model.weights,
                 bias=model.bias, grams=np.array(grams, dtype=str), idf=model.ngrams.idf,
                 gram_weights=model.ngram_weights)


def load(path: Path, fingerprint: str) -> SafetyModel | None:
    """The saved model if it was trained on the same data and settings, else None."""
    import numpy as np

    saved = npzfile.load(path, fingerprint)
    if saved is None:
        return None
    grams = CharNgrams({str(g): i for i, g in enumerate(saved["grams"])},
                       saved["idf"].astype(np.float32))
    return SafetyModel(tuple(str(x) for x in saved["labels"]), saved["weights"].astype(np.float32),
                       saved["bias"].astype(np.float32), fingerprint, grams,
                       saved["gram_weights"].astype(np.float32))
