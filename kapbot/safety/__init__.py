"""Screening a message before any retrieval: crisis, medical, scope. (Transition: the rule and
exemplar screen lives in ``legacy`` until the classifier replaces it.)"""

from kapbot.safety.legacy import (
    Screen,
    SemanticScreen,
    Vectors,
    name_aliases,
    normalise,
    resolved_history,
    screen,
)

__all__ = ["Screen", "SemanticScreen", "Vectors", "name_aliases", "normalise",
           "resolved_history", "screen"]
