"""A ridge regression onto one-hot class labels, with its penalty and softmax temperature chosen
by cross-validation: the section ranker's solver (``kapbot.ranking.ranker``).

The lines' sufficient statistics (``XᵀWX`` and ``XᵀWY``, with a column of ones for the bias)
are summed once, whole and per fold, so a model without fold ``f`` costs one solve of a
(dims + 1)² system: training time grows with lines × dims², not with lines × classes ×
iterations as an iterative multinomial fit does. Held-out lines are scored ``CHUNK`` at a time,
so memory stays at ``CHUNK`` × classes whatever the corpus size. Deterministic: no randomness,
no iteration count, folds fixed by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHUNK = 1024  # held-out lines scored at a time
PENALTIES = (0.03, 0.1, 0.3, 1.0)  # ridge penalties tried; the corpus's own lines choose one
TEMPERATURES = (5.0, 10.0, 20.0, 40.0, 80.0)  # softmax temperatures tried, likewise
CHOOSING_LINES = 4000  # at most this many held-out lines score the choice (evenly spaced)


def softmax(scores: Any) -> Any:
    """Row-wise softmax of a (rows, classes) array."""
    z = np.exp(scores - scores.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Choice:
    penalty: float
    temperature: float
    log_loss: float  # mean held-out negative log-likelihood at this choice (weighted)


class FoldedLines:
    """Training lines (vectors ``x``, class index ``y``, weight ``w``) split into folds by
    ``fold`` (each line's fold number)."""

    def __init__(self, x: Any, y: Any, w: Any, classes: int, fold: Any) -> None:
        self.x = np.hstack([np.asarray(x, dtype=np.float64), np.ones((len(x), 1))])
        self.y = np.asarray(y, dtype=np.int64)
        self.w = np.asarray(w, dtype=np.float64)
        self.fold = np.asarray(fold, dtype=np.int64)
        self.classes = classes
        self.folds = sorted(set(self.fold.tolist()))
        self.gram, self.cross = self._stats(np.ones(len(self.y), dtype=bool))
        self.fold_stats = {f: self._stats(self.fold == f) for f in self.folds}

    def _stats(self, mask: Any) -> tuple[Any, Any]:
        xw = self.x[mask] * self.w[mask, None]
        cross_t = np.zeros((self.classes, self.x.shape[1]))
        np.add.at(cross_t, self.y[mask], xw)
        return xw.T @ self.x[mask], cross_t.T

    def solve(self, penalty: float, without: int | None = None) -> Any:
        """(dims + 1, classes) coefficients, the last row the bias (not penalised), fitted on
        every line, or on every line outside fold ``without``."""
        gram, cross = self.gram, self.cross
        if without is not None:
            gram, cross = gram - self.fold_stats[without][0], cross - self.fold_stats[without][1]
        reg = np.full(gram.shape[0], penalty)
        reg[-1] = 1e-9
        return np.linalg.solve(gram + np.diag(reg), cross)

    def held_out(self, penalty: float, rows: Any) -> Iterator[tuple[Any, Any]]:
        """(row indices, their raw scores from the model that never saw their fold), a chunk at
        a time, for the lines ``rows``."""
        for f in self.folds:
            mine = rows[self.fold[rows] == f]
            if mine.size == 0:
                continue
            coef = self.solve(penalty, f)
            for start in range(0, mine.size, CHUNK):
                part = mine[start : start + CHUNK]
                yield part, self.x[part] @ coef

    def choose(self, penalties: Sequence[float], temperatures: Sequence[float], rows: Any
               ) -> Choice:
        """The penalty and temperature whose held-out probabilities of the lines ``rows`` have
        the least weighted log-loss (ties: the smaller penalty, then temperature)."""
        best = Choice(penalties[0], temperatures[0], math.inf)
        total = float(self.w[rows].sum()) or 1.0
        for penalty in penalties:
            loss = np.zeros(len(temperatures))
            for part, scores in self.held_out(penalty, rows):
                own = scores[np.arange(part.size), self.y[part]]
                for k, t in enumerate(temperatures):
                    z = t * scores
                    top = z.max(axis=1)
                    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
                    loss[k] += float(((lse - t * own) * self.w[part]).sum())
            for k, t in enumerate(temperatures):
                if loss[k] / total < best.log_loss:
                    best = Choice(penalty, t, loss[k] / total)
        return best


def fit(x: Any, y: Any, w: Any, classes: Sequence[str], fold: Any, scored: Any
        ) -> tuple[Any, Any, Iterator[tuple[Any, Any]]]:
    """The section ranker's ridge path (``kapbot.ranking.ranker.train``): (dims, classes)
    weights and bias with the chosen temperature folded in, and the out-of-fold class
    probabilities of the lines ``scored``, a chunk at a time."""
    folded = FoldedLines(x, y, w, len(classes), fold)
    choice = folded.choose(PENALTIES, TEMPERATURES,
                           scored[:: max(1, math.ceil(scored.size / CHOOSING_LINES))])
    final = folded.solve(choice.penalty) * choice.temperature
    held = ((part, softmax(raw * choice.temperature))
            for part, raw in folded.held_out(choice.penalty, scored))
    return final[:-1], final[-1], held
