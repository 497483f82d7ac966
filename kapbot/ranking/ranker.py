"""The trained section ranker and the calibrated answer decision, learnt from the corpus itself.

Training lines are the index's own units, each labelled with its section: question-bank lines
and FAQ headings (weight 1), passages (embedded with their heading path, weight ``PASSAGE``) and
sentences (weight ``SENTENCE``); "not covered" example questions form one more class. A linear
model over their MiniLM vectors gives, for a question, a probability per section (and for "not
covered"). While lines × classes stays within ``EXACT_BUDGET`` (every single practice's pages so
far: the shipped corpus is about 21,000), it is a multinomial logistic regression (lbfgs), whose
training grows with lines × classes × iterations: 13 s for 300 sections and 2,500 lines, over
12 minutes for 3,000 sections and 25,000 lines. Above the budget it is a ridge regression onto
the one-hot labels, solved in closed form (``kapbot.ranking.ridge``: lines × dims², 5 s for
3,000 sections and 25,000 lines), whose scores a softmax turns into probabilities; its penalty
and temperature are chosen by cross-validation on the corpus's own lines.

The answer / not-covered decision is a second, small logistic regression over calibrated
features of the best section (``DecisionFeatures``). It is fitted on out-of-fold features of the
corpus's own lines (every line scored by a ranker that never saw it): the section lines are the
answerable examples, the not-covered lines the others. A corpus with fewer than
``MIN_NEGATIVES`` not-covered lines (or none: no bank) has too few negative examples to fit on:
the decision then answers when the best section's evidence reaches the level that all but
``ONE_CLASS_QUANTILE`` of its own held-out lines reach, so a new practice's page is answered
from its sentences.

Deterministic (fixed folds; lbfgs, or closed-form solves past the budget); scikit-learn is
imported here only, when training; answering uses the saved weights in numpy. Saved as a small
``.npz`` in the cache folder under the index fingerprint, never committed, retrained when the
index changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapbot import npzfile
from kapbot.corpus.markdown import NOT_COVERED
from kapbot.models import Unit
from kapbot.odds import logistic, logit

VERSION = 3  # bump when training changes: cached rankers are retrained
C = 10.0  # inverse regularisation of the exact (logistic) section ranker
EXACT_BUDGET = 1_000_000  # lines x classes up to which the exact fit is used (about 15 s here)
PASSAGE = 0.5  # training weight of a passage line (a question line weighs 1)
SENTENCE = 1.0  # training weight of a sentence line
FOLDS = 5
MIN_NEGATIVES = 10  # fewer not-covered lines than this: too few to fit a decision on
ONE_CLASS_QUANTILE = 0.03  # with no negative lines: the share of own lines refused
ONE_CLASS_FLOOR = 0.1  # ... and never below this sentence similarity (nothing in common)
ONE_CLASS_SLOPE = 50.0  # how sharply the one-class decision turns at its level
NOT_COVERED_CLASS = "__not_covered__"


@dataclass(frozen=True)
class DecisionFeatures:
    """What the decision reads about the best section, each on a scale that means the same in
    any corpus: the ranker's probability (as a logit), the best sentence and question
    similarities, and the ranker's probability that the question is a not-covered one."""

    ranker_logit: float
    sentence: float
    question: float
    not_covered: float

    def row(self) -> list[float]:
        return [self.ranker_logit, self.sentence, self.question, self.not_covered]


@dataclass(frozen=True)
class SectionRanker:
    classes: tuple[str, ...]  # section ids, then NOT_COVERED_CLASS when there were examples
    weights: Any  # numpy (dims, classes)
    bias: Any  # numpy (classes,)
    decision_weights: Any  # numpy (4,), over DecisionFeatures.row()
    decision_bias: float
    fingerprint: str

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(c for c in self.classes if c != NOT_COVERED_CLASS)

    def section_probabilities(self, vectors: Any) -> tuple[Any, Any]:
        """For each vector (a row of ``vectors``, or one vector): the probability of each of
        ``sections``, renormalised without "not covered" (rows × sections), and the probability
        of "not covered" (rows)."""
        import numpy as np

        logits = np.atleast_2d(np.asarray(vectors, dtype=np.float32)) @ self.weights + self.bias
        odds = np.exp(logits - logits.max(axis=1, keepdims=True))
        odds /= odds.sum(axis=1, keepdims=True)
        k = len(self.sections)
        nc = odds[:, k].astype(np.float64) if k < len(self.classes) else np.zeros(len(odds))
        rest = 1.0 - nc
        mine = odds[:, :k].astype(np.float64)
        return np.where(rest[:, None] > 0, mine / np.where(rest > 0, rest, 1.0)[:, None], mine), nc

    def probabilities(self, vector: Sequence[float]) -> tuple[dict[str, float], float]:
        """Each section's probability (renormalised without "not covered"), and the
        probability of "not covered"."""
        mine, nc = self.section_probabilities(vector)
        return dict(zip(self.sections, (float(p) for p in mine[0]), strict=True)), float(nc[0])

    def answer_probability(self, features: DecisionFeatures) -> float:
        import numpy as np

        return logistic(float(np.dot(self.decision_weights, features.row()))
                        + self.decision_bias)


def training_lines(units: Sequence[Unit], use_bank: bool) -> list[tuple[Unit, str, float]]:
    """(unit, class, weight) for every unit the ranker learns from."""
    out: list[tuple[Unit, str, float]] = []
    for unit in sorted(units, key=lambda u: u.id):
        if unit.origin == NOT_COVERED:
            if use_bank:
                out.append((unit, NOT_COVERED_CLASS, 1.0))
        elif unit.origin == "bank" and not use_bank:
            continue
        else:
            weight = {"question": 1.0, "passage": PASSAGE, "sentence": SENTENCE}[unit.type]
            out.append((unit, unit.section_id, weight))
    return out


def _features(vector: Any, section: str, p_section: float, nc: float, table: UnitTable,
              skip: int = -1) -> DecisionFeatures:
    """Decision features of ``section`` (probability ``p_section``) for a vector; table row
    ``skip`` (the line itself) excluded. Reads only the section's own rows."""
    rows = table.rows_of(section)
    if skip >= 0:
        rows = rows[rows != skip]
    sims = table.matrix[rows] @ vector
    kinds = table.kinds[rows]
    sent, ques = sims[kinds == "sentence"], sims[kinds == "question"]
    return DecisionFeatures(logit(p_section), float(sent.max()) if sent.size else 0.0,
                            float(ques.max()) if ques.size else 0.0, nc)


def features_for(ranker: SectionRanker, table: UnitTable, vector: Sequence[float],
                 section: str, known: tuple[dict[str, float], float] | None = None
                 ) -> DecisionFeatures:
    """``known``: ``ranker.probabilities(vector)`` when the caller has it already."""
    import numpy as np

    probs, nc = known or ranker.probabilities(vector)
    return _features(np.asarray(vector, dtype=np.float32), section, probs.get(section, 0.0), nc,
                     table)


@dataclass(frozen=True)
class UnitTable:
    """The vectors of an index version's sentences and questions (not-covered ones excluded),
    with each row's section and type: the decision's similarity features read these."""

    ids: tuple[str, ...]
    matrix: Any
    sections: Any
    kinds: Any
    by_section: dict[str, Any] = field(default_factory=dict, compare=False)
    questions: Any = field(default=None, compare=False)  # the question rows' vectors
    bank_lines: int = 0  # how many of them are question-bank lines (not FAQ headings)

    def rows_of(self, section: str) -> Any:
        """The row numbers of ``section``'s sentences and questions (numpy, ascending)."""
        import numpy as np

        return self.by_section.get(section, np.zeros(0, dtype=np.int64))

    @staticmethod
    def build(units: Sequence[Unit], vectors: dict[str, list[float]], use_bank: bool
              ) -> UnitTable:
        import numpy as np

        kept = [u for u in sorted(units, key=lambda u: u.id)
                if u.type != "passage" and u.origin != NOT_COVERED and u.id in vectors
                and (use_bank or u.origin != "bank")]
        dims = len(next(iter(vectors.values()))) if vectors else 0
        matrix = (np.asarray([vectors[u.id] for u in kept], dtype=np.float32)
                  if kept else np.zeros((0, dims), dtype=np.float32))
        rows: dict[str, list[int]] = {}
        for i, u in enumerate(kept):
            rows.setdefault(u.section_id, []).append(i)
        kinds = np.array([u.type for u in kept])
        return UnitTable(tuple(u.id for u in kept), matrix, np.array([u.section_id for u in kept]),
                         kinds, {sid: np.asarray(r, dtype=np.int64) for sid, r in rows.items()},
                         matrix[kinds == "question"] if kept else matrix,
                         sum(u.origin == "bank" for u in kept))


def _fit(x: Any, y: Sequence[str], w: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, tol=1e-4).fit(x, list(y), sample_weight=w)


def _logistic(x: Any, y: Any, w: Any, classes: Sequence[str], fold: Any, scored: Any
              ) -> tuple[Any, Any, Iterator[tuple[Any, Any]]]:
    """The exact multinomial logistic regression: (dims, classes) weights, bias, and the
    out-of-fold class probabilities of the lines ``scored``, a fold at a time."""
    import numpy as np

    names = [classes[i] for i in y]
    final = _fit(x, names, w)
    order = [list(final.classes_).index(c) for c in classes]

    def held_out() -> Iterator[tuple[Any, Any]]:
        for f in sorted(set(fold.tolist())):
            held = fold == f
            rest = [n for n, h in zip(names, held, strict=True) if not h]
            part = scored[held[scored]]
            if held.all() or len(set(rest)) < 2 or part.size == 0:
                continue
            model = _fit(x[~held], rest, w[~held])
            probs = np.zeros((part.size, len(classes)))
            probs[:, [classes.index(str(c)) for c in model.classes_]] = model.predict_proba(x[part])
            yield part, probs

    return final.coef_[order].T, final.intercept_[order], held_out()


def train(units: Sequence[Unit], vectors: dict[str, list[float]], use_bank: bool,
          fingerprint: str, exact_budget: int = EXACT_BUDGET, table: UnitTable | None = None
          ) -> SectionRanker:
    """The ranker and its decision, from the index's units and their stored vectors: the exact
    logistic fit while lines × classes stays within ``exact_budget``, else the ridge one."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    lines = [(u, c, w) for u, c, w in training_lines(units, use_bank) if u.id in vectors]
    classes = sorted({c for _, c, _ in lines}, key=lambda c: (c == NOT_COVERED_CLASS, c))
    x = np.asarray([vectors[u.id] for u, _, _ in lines], dtype=np.float64)
    if len(classes) < 2:  # one section and no examples: nothing to tell apart
        dims = x.shape[1] if x.ndim == 2 else 0
        return SectionRanker(tuple(classes), np.zeros((dims, len(classes)), np.float32),
                             np.zeros(len(classes), np.float32), np.zeros(4), 1.0, fingerprint)
    index = {c: i for i, c in enumerate(classes)}
    y = np.asarray([index[c] for _, c, _ in lines])
    w = np.asarray([wt for _, _, wt in lines])
    fold = np.arange(len(lines)) % FOLDS
    # the decision's lines: questions and sentences (passages only help the ranker learn)
    scored = np.asarray([i for i, (u, _, _) in enumerate(lines) if u.type != "passage"],
                        dtype=np.int64)
    from kapbot.ranking import ridge

    fit = _logistic if len(lines) * len(classes) <= exact_budget else ridge.fit
    weights, bias, held_out = fit(x, y, w, classes, fold, scored)
    table = table or UnitTable.build(units, vectors, use_bank)  # (the caller's, if it has one)
    row_of = {uid: i for i, uid in enumerate(table.ids)}
    nc_at = index.get(NOT_COVERED_CLASS, -1)
    sections = len(classes) - (nc_at >= 0)
    rows: list[list[float]] = []  # out-of-fold decision features of every scored line
    labels: list[int] = []
    for part, probs in held_out:
        for i, p in zip(part.tolist(), probs, strict=True):
            nc = float(p[nc_at]) if nc_at >= 0 else 0.0
            top = int(np.argmax(p[:sections]))
            p_top = float(p[top]) / (1 - nc) if nc < 1 else float(p[top])
            unit, label, _ = lines[i]
            feats = _features(x[i].astype(np.float32), classes[top], p_top, nc, table,
                              row_of.get(unit.id, -1))
            rows.append(feats.row())
            labels.append(0 if label == NOT_COVERED_CLASS else 1)
    if labels.count(0) >= MIN_NEGATIVES and 1 in labels:
        decision = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000,
                                      tol=1e-6).fit(np.asarray(rows), labels)
        dw, db = decision.coef_[0].astype(np.float64), float(decision.intercept_[0])
    else:  # no negative lines: answer what reaches the level of nearly all own lines
        seen = [r[1] for r in rows if r[1] > 0]  # lines with another sentence in their section
        level = float(np.quantile(seen, ONE_CLASS_QUANTILE)) if seen else ONE_CLASS_FLOOR
        dw = np.array([0.0, ONE_CLASS_SLOPE, 0.0, 0.0])  # the best sentence similarity
        db = -ONE_CLASS_SLOPE * max(level, ONE_CLASS_FLOOR)
    return SectionRanker(tuple(classes), np.asarray(weights, dtype=np.float32),
                         np.asarray(bias, dtype=np.float32), dw, db, fingerprint)


def save(ranker: SectionRanker, path: Path) -> None:
    import numpy as np

    npzfile.save(path, ranker.fingerprint, classes=np.array(ranker.classes),
                 weights=ranker.weights, bias=ranker.bias,
                 decision_weights=ranker.decision_weights,
                 decision_bias=np.array(ranker.decision_bias))


def load(path: Path, fingerprint: str) -> SectionRanker | None:
    """The saved ranker if it was trained on the same index, else None."""
    import numpy as np

    saved = npzfile.load(path, fingerprint)
    if saved is None:
        return None
    return SectionRanker(tuple(str(c) for c in saved["classes"]),
                         saved["weights"].astype(np.float32), saved["bias"].astype(np.float32),
                         saved["decision_weights"].astype(np.float64),
                         float(saved["decision_bias"]), fingerprint)
