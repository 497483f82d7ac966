"""The shared answer decision: whether the first section answers, learnt from other practices'
questions, for a corpus that cannot teach its own. Pure (reading and writing its small JSON
file aside).

A corpus's own decision (``kapbot.ranking.ranker``) is fitted on its own lines: its section
lines are the answerable examples, its not-covered lines the others. With a question bank, both
are questions. With a practice's pages alone, its section lines are statements and its only
questions are the starter not-covered examples, so the decision learns that a question is not
covered by its form. This decision was instead fitted by ``evals/train_shared_decision.py`` on
questions that writers wrote for other practices (``evals/shared-decision/``; answerable ones
with their section, and ones the pages do not cover), each ranked on that practice's pages
alone: an example is answered rightly when its first section is its own. Its inputs
(``DecisionInputs``) mean the same in any corpus. It is the same for every practice and never
learns from a practice's own pages; ``evals/shared-decision.md`` reports how it does on
practices it never saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from kapbot.odds import logistic, logit
from kapbot.ranking.fusion import Ranking

DECISION_FILE = Path(__file__).with_name("data") / "shared-decision.json"


@dataclass(frozen=True)
class DecisionInputs:
    """What the shared decision reads about a ranking's first section: its adapted, sentence,
    passage and word-match similarities, the section ranker's probability (as a logit), how far
    the first section's score is ahead of the second's, and the ranker's probability and the
    best similarity of the not-covered examples."""

    adapted: float
    sentence: float
    passage: float
    lexical: float
    ranker_logit: float
    lead: float
    not_covered_logit: float
    not_covered_similarity: float

    @staticmethod
    def of(ranking: Ranking) -> DecisionInputs:
        top = ranking.top
        if top is None:
            return DecisionInputs(0.0, 0.0, 0.0, 0.0, logit(0.0), 0.0,
                                  logit(ranking.not_covered_probability), ranking.not_covered)
        sig = top.signals
        second = ranking.sections[1].score if len(ranking.sections) > 1 else 0.0
        return DecisionInputs(sig.get("a", 0.0), sig.get("s", 0.0), sig.get("p", 0.0),
                              sig.get("l", 0.0), logit(sig.get("r", 0.0)),
                              top.score - second, logit(ranking.not_covered_probability),
                              ranking.not_covered)

    def row(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]


FEATURES = tuple(f.name for f in fields(DecisionInputs))


@dataclass(frozen=True)
class SharedDecision:
    weights: tuple[float, ...]  # one per ``FEATURES``
    bias: float
    examples: int  # how many it was fitted on

    def probability(self, inputs: DecisionInputs) -> float:
        return logistic(sum(w * x for w, x in zip(self.weights, inputs.row(), strict=True))
                        + self.bias)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"features": list(FEATURES), "weights": list(self.weights),
                                    "bias": self.bias, "examples": self.examples},
                                   indent=1) + "\n", encoding="utf-8")


def load_shared_decision(path: Path = DECISION_FILE) -> SharedDecision | None:
    """The shipped decision, or None when the file is missing, unreadable or made for other
    inputs (a corpus then keeps its own decision)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if tuple(saved["features"]) != FEATURES:
            return None
        return SharedDecision(tuple(float(w) for w in saved["weights"]), float(saved["bias"]),
                              int(saved["examples"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
