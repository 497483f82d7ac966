"""Probabilities and log-odds, as every learnt decision reads them. Pure.

The section ranker's answer decision, the shared answer decision and the English / Spanish
choice are each a logistic regression: a weighted sum of inputs turned into a probability
(``logistic``); the ranker's probabilities enter the decisions as log-odds (``logit``).
"""

from __future__ import annotations

import math

EDGE = 1e-4  # probabilities are read within [EDGE, 1 - EDGE]: a logit stays finite
REACH = 30.0  # a weighted sum beyond ±REACH is certain: exp() never overflows


def logistic(z: float) -> float:
    """The probability of a weighted sum ``z``."""
    return 1.0 / (1.0 + math.exp(-max(-REACH, min(REACH, z))))


def logit(p: float) -> float:
    """The log-odds of ``p``, ``p`` held within [``EDGE``, 1 - ``EDGE``]."""
    p = min(max(p, EDGE), 1 - EDGE)
    return math.log(p / (1 - p))
