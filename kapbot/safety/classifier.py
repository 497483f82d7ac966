"""The safety classifier: multinomial logistic regression over the features of a message
(``kapbot.safety.features``), trained from the labelled examples (``kapbot.safety.dataset``).

Training uses scikit-learn (imported here only, when training); answering uses the saved
weights in plain numpy: softmax(x · W + b). Deterministic: the same examples and settings give
the same weights. The model is saved as a small ``.npz`` beside the index under the fingerprint
of its data and settings, never committed, and retrained when either changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot.safety.dataset import LABELS

C = 2.0  # inverse regularisation strength (chosen by leave-one-writer-out cross-validation)


@dataclass(frozen=True)
class SafetyModel:
    labels: tuple[str, ...]
    weights: Any  # numpy (features, labels)
    bias: Any  # numpy (labels,)
    fingerprint: str

    def probabilities(self, features: Any) -> list[dict[str, float]]:
        """One ``{label: probability}`` per row of ``features``."""
        import numpy as np

        logits = np.asarray(features, dtype=np.float32) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        odds /= odds.sum(axis=1, keepdims=True)
        return [{label: float(p) for label, p in zip(self.labels, row, strict=True)}
                for row in odds]


def _fit(features: Any, labels: Sequence[str], weights: Sequence[float], c: float) -> Any:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, tol=1e-6)
    model.fit(np.asarray(features, dtype=np.float64), list(labels),
              sample_weight=np.asarray(weights, dtype=np.float64))
    return model


def train(features: Any, labels: Sequence[str], weights: Sequence[float], fingerprint: str,
          c: float = C) -> SafetyModel:
    import numpy as np

    fitted = _fit(features, labels, weights, c)
    order = [list(fitted.classes_).index(label) for label in LABELS if label in fitted.classes_]
    return SafetyModel(
        tuple(str(fitted.classes_[i]) for i in order),
        np.asarray(fitted.coef_[order].T, dtype=np.float32),
        np.asarray(fitted.intercept_[order], dtype=np.float32), fingerprint,
    )


def cross_validate(features: Any, labels: Sequence[str], weights: Sequence[float],
                   groups: Sequence[str], c: float = C) -> list[dict[str, float]]:
    """Out-of-group probabilities: each writer's messages scored by a model trained on the
    other writers' (how the screen does on a writer it has never seen)."""
    import numpy as np

    x = np.asarray(features, dtype=np.float64)
    out: list[dict[str, float]] = [{} for _ in labels]
    for group in sorted(set(groups)):
        held = np.array([g == group for g in groups])
        fitted = _fit(x[~held], [lb for lb, h in zip(labels, held, strict=True) if not h],
                      [w for w, h in zip(weights, held, strict=True) if not h], c)
        for i, row in zip(np.flatnonzero(held), fitted.predict_proba(x[held]), strict=True):
            out[i] = {str(label): float(p) for label, p in zip(fitted.classes_, row, strict=True)}
    return out


def save(model: SafetyModel, path: Path) -> None:
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.partial.npz")
    np.savez(partial, labels=np.array(model.labels), weights=model.weights, bias=model.bias,
             fingerprint=np.array(model.fingerprint))
    partial.replace(path)


def load(path: Path, fingerprint: str) -> SafetyModel | None:
    """The saved model if it was trained on the same data and settings, else None."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["fingerprint"]) != fingerprint:
                return None
            return SafetyModel(tuple(str(x) for x in saved["labels"]),
                               saved["weights"].astype(np.float32),
                               saved["bias"].astype(np.float32), fingerprint)
    except (OSError, KeyError, ValueError):
        return None
