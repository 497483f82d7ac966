"""The shared answer decision: whether the first section answers, learnt from other practices'
visitors' questions. Pure (reading and writing its small JSON file aside).

A corpus's own decision (``kapbot.ranking.ranker``) is fitted on its own lines. With a
practice's pages alone, its section lines are statements and its only questions are the
starter not-covered examples, so the decision learns that a question is not covered by its
form. With a question bank, the answerable lines are the bank's questions and the unanswerable
ones the starter not-covered examples, which are general (fees, insurance, other treatments) and
unlike the questions a practice's own visitors ask that its pages do not answer: on fourteen
practices with their banks, it answered 92 of 155 such questions (``evals/shared-decision.md``).

This decision was instead fitted by ``evals/train_shared_decision.py`` on questions that writers
wrote for fourteen other practices (answerable ones with their section, and ones the pages do
not cover), each ranked on that practice's pages alone and on its pages with their banks: an
example is answered rightly when its first section is its own. It has two fits
(``SharedDecisions``), one for a ranker that learnt no question-bank line and one for a ranker
that did, because the same inputs mean different things there (without a bank, the ranker
reads the adapted question and no section has a question similarity). With a bank, the
practice's own decision has learnt something the shared one cannot: a practice that writes its
own not-covered examples (the article's 256) teaches it its own gaps. So there the two are
blended (``blended``: the mean of their logits). Its inputs (``DecisionInputs``) mean the same
in any corpus. It never learns from a practice's own pages; ``evals/shared-decision.md``
reports how it does on practices it never saw.
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
    best similarity of the not-covered examples, and the first section's question-bank
    similarity (0 without a bank)."""

    adapted: float
    sentence: float
    passage: float
    lexical: float
    ranker_logit: float
    lead: float
    not_covered_logit: float
    not_covered_similarity: float
    question: float

    @staticmethod
    def of(ranking: Ranking) -> DecisionInputs:
        top = ranking.top
        if top is None:
            return DecisionInputs(0.0, 0.0, 0.0, 0.0, logit(0.0), 0.0,
                                  logit(ranking.not_covered_probability), ranking.not_covered,
                                  0.0)
        sig = top.signals
        second = ranking.sections[1].score if len(ranking.sections) > 1 else 0.0
        return DecisionInputs(sig.get("a", 0.0), sig.get("s", 0.0), sig.get("p", 0.0),
                              sig.get("l", 0.0), logit(sig.get("r", 0.0)),
                              top.score - second, logit(ranking.not_covered_probability),
                              ranking.not_covered, sig.get("q", 0.0))

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

    def as_dict(self) -> dict[str, object]:
        return {"weights": list(self.weights), "bias": self.bias, "examples": self.examples}

    @staticmethod
    def from_dict(saved: dict[str, object]) -> SharedDecision:
        weights = saved["weights"]
        if not isinstance(weights, list) or len(weights) != len(FEATURES):
            raise ValueError("a weight per input")
        return SharedDecision(tuple(float(w) for w in weights), float(str(saved["bias"])),
                              int(str(saved["examples"])))


@dataclass(frozen=True)
class SharedDecisions:
    """The two fits: for a ranker that learnt no question-bank line (a practice's pages alone)
    and for one that did."""

    pages: SharedDecision
    banks: SharedDecision

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"features": list(FEATURES), "pages": self.pages.as_dict(),
                                    "banks": self.banks.as_dict()}, indent=1) + "\n",
                        encoding="utf-8")


def blended(own: float, shared: float) -> float:
    """A banked corpus's probability that the first section answers: the mean of the logits of
    its own decision's probability and the shared decision's."""
    return logistic((logit(own) + logit(shared)) / 2)


def load_shared_decision(path: Path = DECISION_FILE) -> SharedDecisions | None:
    """The shipped decisions, or None when the file is missing, unreadable or made for other
    inputs (a corpus then keeps its own decision)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if tuple(saved["features"]) != FEATURES:
            return None
        return SharedDecisions(SharedDecision.from_dict(saved["pages"]),
                               SharedDecision.from_dict(saved["banks"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
