"""From the classifier's probabilities (and the rules) to a decision. Pure.

Tiers (the JSON's ``safety``):
- ``urgent``: the crisis reply alone, nothing from the article. A rule for explicit imminent
  danger, or a crisis probability at or above ``urgent_threshold`` in any window of the message.
- ``concern``: the crisis resources first, then the normal reply below them. A crisis
  probability at or above ``concern_threshold``: questions about suicide in general, ambiguous
  distress, a means question without explicit intent. Set for recall: a false ``concern`` costs a
  visitor a few lines, a missed crisis can cost a life.
- ``none``.
Then the label the reply is built from: ``medical`` (the medical reply), ``scope`` (the polite
out-of-scope reply) or ``other`` (answer or not covered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Tier(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    URGENT = "urgent"


class Label(StrEnum):
    CRISIS = "crisis"
    MEDICAL = "medical"
    SCOPE = "scope"
    OTHER = "other"


@dataclass(frozen=True)
class Thresholds:
    urgent: float
    concern: float
    medical: float
    scope: float


@dataclass(frozen=True)
class SafetyVerdict:
    tier: Tier
    label: Label
    decided_by: str  # "rule: <name>", "classifier: crisis 0.91 ≥ urgent 0.60", ...; for review
    probabilities: Mapping[str, float] = field(default_factory=dict)  # the deciding window's
    crisis: float = 0.0  # the highest crisis probability over the message's windows
    window: int = 0  # which window decided (0: the whole message, or its start)

    @property
    def urgent(self) -> bool:
        return self.tier is Tier.URGENT


NOTHING = SafetyVerdict(Tier.NONE, Label.OTHER, "not screened")


def decide(windows: Sequence[Mapping[str, float]], thresholds: Thresholds,
           rule: str = "", sentences: Sequence[Mapping[str, float]] = (),
           concern_rule: str = "") -> SafetyVerdict:
    """``windows``: the classifier's probabilities for the whole message (first) and for each
    window of a longer one. ``rule``: the name of a rule for imminent danger that matched.
    ``sentences``: each sentence of a message of several, read alone: one that reaches
    ``urgent`` raises the tier to at least ``concern`` (alone, a sentence has lost the context
    that may make it harmless, such as a history long resolved, so it never decides ``urgent``).
    ``concern_rule``: a rule for current suicidal thoughts that matched (at least ``concern``)."""
    if not windows:
        if rule:
            return SafetyVerdict(Tier.URGENT, Label.CRISIS, f"rule: {rule}")
        if concern_rule:
            return SafetyVerdict(Tier.CONCERN, Label.OTHER, f"rule: {concern_rule}")
        return NOTHING
    crisis_at = max(range(len(windows)), key=lambda i: windows[i].get("crisis", 0.0))
    crisis = windows[crisis_at].get("crisis", 0.0)
    if rule:
        return SafetyVerdict(Tier.URGENT, Label.CRISIS, f"rule: {rule}", windows[crisis_at],
                             crisis, crisis_at)
    if crisis >= thresholds.urgent:
        return SafetyVerdict(Tier.URGENT, Label.CRISIS,
                             f"classifier: crisis {crisis:.2f} ≥ urgent {thresholds.urgent:.2f}",
                             windows[crisis_at], crisis, crisis_at)
    tier = Tier.CONCERN if crisis >= thresholds.concern else Tier.NONE
    because = (f"classifier: crisis {crisis:.2f} ≥ concern {thresholds.concern:.2f}; "
               if tier is Tier.CONCERN else "")
    alone = max((p.get("crisis", 0.0) for p in sentences), default=0.0)
    if tier is Tier.NONE and alone >= thresholds.urgent:
        tier, crisis = Tier.CONCERN, alone
        because = f"classifier: a sentence alone, crisis {alone:.2f} ≥ urgent; "
    if tier is Tier.NONE and concern_rule:
        tier, because = Tier.CONCERN, f"rule: {concern_rule}; "
    whole = windows[0]
    medical_at = max(range(len(windows)), key=lambda i: windows[i].get("medical", 0.0))
    medical = windows[medical_at].get("medical", 0.0)
    scope = whole.get("scope", 0.0)
    if scope >= thresholds.scope and scope >= whole.get("medical", 0.0):
        return SafetyVerdict(tier, Label.SCOPE, because + f"scope {scope:.2f} ≥ "
                             f"{thresholds.scope:.2f}", whole, crisis, 0)
    if medical >= thresholds.medical:
        return SafetyVerdict(tier, Label.MEDICAL, because + f"medical {medical:.2f} ≥ "
                             f"{thresholds.medical:.2f}", windows[medical_at], crisis, medical_at)
    return SafetyVerdict(tier, Label.OTHER, because + f"other (crisis {crisis:.2f}, medical "
                         f"{medical:.2f}, scope {scope:.2f})", whole, crisis, 0)
