"""The safety classifier: multinomial logistic regression over the features of a message (its
sentence vectors, ``kapbot.safety.features``, and its character n-grams, ``kapbot.safety.ngrams``),
trained from the labelled examples (``kapbot.safety.dataset``).

Training uses scikit-learn's TF-IDF (the n-grams) and scipy's L-BFGS (imported here only, when
training); answering uses the saved weights in plain numpy: softmax(x · W + g · G + b), x the
vectors, g the n-gram row.
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
# lbfgs stops when the gradient is this small. At 1e-4 (scikit-learn's default) two caches' fits
# landed apart: on stored sentence vectors 2.3e-7 apart (made in other batches), the 23,223
# lines' weights differed by up to 0.107, and the crisis reply alone on safety.jsonl was 0.843,
# 0.857 or 0.871 by cache. At 1e-5 they differ by 0.0057 (0.0016 at 1e-6); a fit of those lines
# takes 21 s instead of 15 (25 s at 1e-6); `teach --not-crisis` 35 s instead of 29
TOL = 1e-5


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


def _fit(vectors: Any, grams: Any, labels: Sequence[str], weights: Sequence[float], c: float,
         start: tuple[Any, Any] | None = None) -> tuple[list[str], Any, Any]:
    """Multinomial logistic regression with an L2 penalty, by L-BFGS: the objective of
    scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")`` with sample weights (its
    loss and penalty divided by the weights' sum, and its stopping rule), over the sentence
    vectors (dense) and the n-gram rows (sparse) kept apart. Joined in one sparse matrix they
    took 340 MB, written anew on each fit (10-13 s of a 36 s refit on 25,162 lines), and each
    step read the dense part through sparse indices. ``start``: the weights (classes sorted,
    vectors then n-grams) and biases to start from, else 0. Returns the sorted classes, the
    weights (features × classes) and the biases."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    grams = grams.astype(np.float64).tocsr()  # each step's products need no conversion
    grams_t = grams.T.tocsr()
    classes = sorted(set(labels))
    y = np.asarray([classes.index(label) for label in labels])
    onehot = np.eye(len(classes))[y]
    w = np.asarray(weights, dtype=np.float64)
    counts = np.bincount(y, weights=w, minlength=len(classes))
    w = w * (w.sum() / (len(classes) * counts))[y]  # "balanced": each class weighs the same
    total = w.sum()
    dims, k = x.shape[1] + grams.shape[1], len(classes)
    scale = (w / total)[:, None]

    def objective(params: Any) -> tuple[float, Any]:
        coef, bias = params[: dims * k].reshape(dims, k), params[dims * k :]
        head = coef[: x.shape[1]].astype(np.float32)
        logits = (x @ head).astype(np.float64) + grams @ coef[x.shape[1] :] + bias
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = float((scale[:, 0] * (log_norm[:, 0] - (logits * onehot).sum(axis=1))).sum())
        residual = (np.exp(logits - log_norm) - onehot) * scale
        gradient = np.vstack([(x.T @ residual.astype(np.float32)).astype(np.float64),
                              grams_t @ residual])
        penalty = 1.0 / (c * total)
        loss += 0.5 * penalty * float((coef * coef).sum())
        gradient += penalty * coef
        return loss, np.concatenate([gradient.ravel(), residual.sum(axis=0)])

    x0 = np.zeros(dims * k + k)
    if start is not None:
        x0 = np.concatenate([np.asarray(start[0], dtype=np.float64).ravel(), start[1]])
    result = minimize(objective, x0, method="L-BFGS-B", jac=True,
                      options={"maxiter": 5000, "maxls": 50, "gtol": TOL,
                               "ftol": 64 * np.finfo(float).eps})
    return classes, result.x[: dims * k].reshape(dims, k), result.x[dims * k :]


def _start(model: SafetyModel, grams: CharNgrams, labels: Sequence[str]) -> tuple[Any, Any] | None:
    """``model``'s weights laid out for a fit over ``grams`` (features × sorted classes): each
    n-gram ``model`` knows starts from its weight there, a new one from 0. None when the labels
    differ."""
    import numpy as np

    classes = sorted(set(labels))
    if sorted(model.labels) != classes:
        return None
    order = [model.labels.index(label) for label in classes]
    dims = model.weights.shape[0]
    coef = np.zeros((dims + len(grams), len(classes)))
    coef[:dims] = model.weights[:, order]
    known = [(i, model.ngrams.vocabulary[g]) for g, i in grams.vocabulary.items()
             if g in model.ngrams.vocabulary]
    if known:
        new, old = (np.asarray(side) for side in zip(*known, strict=True))
        coef[dims + new] = model.ngram_weights[old][:, order]
    return coef, np.asarray(model.bias[order], dtype=np.float64)


def _model(fitted: tuple[list[str], Any, Any], dims: int, grams: CharNgrams,
           fingerprint: str) -> SafetyModel:
    """The fitted weights as a ``SafetyModel``, its labels in ``LABELS`` order."""
    import numpy as np

    classes, coef, bias = fitted
    order = [classes.index(label) for label in LABELS if label in classes]
    weights = np.asarray(coef[:, order], dtype=np.float32)
    return SafetyModel(tuple(classes[i] for i in order), weights[:dims],
                       np.asarray(bias[order], dtype=np.float32), fingerprint, grams,
                       weights[dims:])


def train(features: Any, texts: Sequence[str], labels: Sequence[str], weights: Sequence[float],
          fingerprint: str, c: float = C, start: SafetyModel | None = None) -> SafetyModel:
    """``start``: a model trained on most of the same lines (the shipped ones), whose weights
    the fit starts from: a practice's lines added take a few steps, not a fit from 0."""
    import numpy as np

    grams, grams_matrix = fit_ngrams(texts)
    fitted = _fit(features, grams_matrix, labels, weights, c,
                  _start(start, grams, labels) if start is not None else None)
    return _model(fitted, np.asarray(features).shape[1], grams, fingerprint)


def cross_validate(features: Any, texts: Sequence[str], labels: Sequence[str],
                   weights: Sequence[float], groups: Sequence[str], c: float = C
                   ) -> list[dict[str, float]]:
    """Out-of-group probabilities: each writer's messages scored by a model trained on the
    other writers' (how the screen does on a writer it has never seen); the n-grams too are
    learned from the other writers only."""
    import numpy as np

    x = np.asarray(features, dtype=np.float32)
    out: list[dict[str, float]] = [{} for _ in labels]
    for group in sorted(set(groups)):
        kept = [i for i, g in enumerate(groups) if g != group]
        rows = [i for i, g in enumerate(groups) if g == group]
        grams, train_grams = fit_ngrams([texts[i] for i in kept])
        model = _model(_fit(x[kept], train_grams, [labels[i] for i in kept],
                            [weights[i] for i in kept], c), x.shape[1], grams, "")
        for i, row in zip(rows, model.probabilities(x[rows], [texts[i] for i in rows]),
                          strict=True):
            out[i] = row
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
