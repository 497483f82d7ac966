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
    window: int = 0  # which window decided the label (0: the whole message, or its start)
    by_rule: bool = False  # a rule for explicit imminent danger decided ``urgent``

    @property
    def urgent(self) -> bool:
        return self.tier is Tier.URGENT


NOTHING = SafetyVerdict(Tier.NONE, Label.OTHER, "not screened")


def decide(windows: Sequence[Mapping[str, float]], thresholds: Thresholds,
           rule: str = "", sentences: Sequence[Mapping[str, float]] = (),
           concern_rule: str = "") -> SafetyVerdict:
    """``windows``: the classifier's probabilities for the whole message (first), then for each
    window of a few sentences of a longer one. ``sentences``: each sentence of a long message,
    read alone. The whole message decides the tier; a window or a sentence that reaches
    ``urgent`` raises it to at least ``concern`` (a part has lost the context that may make it
    harmless, such as a history long resolved, so it never decides ``urgent`` alone). ``rule``:
    a rule for imminent danger that matched (``urgent``); ``concern_rule``: one for current
    suicidal thoughts (at least ``concern``)."""
    if not windows:
        if rule:
            return SafetyVerdict(Tier.URGENT, Label.CRISIS, f"rule: {rule}", by_rule=True)
        if concern_rule:
            return SafetyVerdict(Tier.CONCERN, Label.OTHER, f"rule: {concern_rule}")
        return NOTHING
    whole = windows[0]
    crisis = whole.get("crisis", 0.0)
    parts = [*windows[1:], *sentences]
    part_at = max(range(len(parts)), key=lambda i: parts[i].get("crisis", 0.0), default=-1)
    part = parts[part_at].get("crisis", 0.0) if parts else 0.0
    if rule:
        return SafetyVerdict(Tier.URGENT, Label.CRISIS, f"rule: {rule}", whole, max(crisis, part),
                             by_rule=True)
    if crisis >= thresholds.urgent:
        return SafetyVerdict(Tier.URGENT, Label.CRISIS,
                             f"classifier: crisis {crisis:.2f} ≥ urgent {thresholds.urgent:.2f}",
                             whole, crisis)
    tier, because = Tier.NONE, ""
    if crisis >= thresholds.concern:
        tier, because = Tier.CONCERN, (f"classifier: crisis {crisis:.2f} ≥ concern "
                                       f"{thresholds.concern:.2f}; ")
    elif part >= thresholds.urgent:
        tier, crisis = Tier.CONCERN, part
        because = f"classifier: a part of the message alone, crisis {part:.2f} ≥ urgent; "
    elif concern_rule:
        tier, because = Tier.CONCERN, f"rule: {concern_rule}; "
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
