"""Review mode's explanation of one reply, for the therapist (never shown to visitors): the
reply's kind, its safety tier and what decided it (a rule for imminent danger, the safety
classifier's probabilities against their thresholds, the answer threshold, a not-covered
example) and the sections retrieved with their scores. Pure: an ``Answer`` and the settings in,
Markdown out.
"""

from __future__ import annotations

from kapbot.models import Answer
from kapbot.ranking.decide import NOT_COVERED_REASONS
from kapbot.settings import Settings

_KIND = {
    "answer": "quoted the writing",
    "no_answer": "not covered / could not answer",
    "crisis": "crisis resources",
    "medical": "medical-advice refusal",
    "invalid": "message not read",
    "greeting": "a greeting: no question, starter questions offered",
    "acknowledgement": "thanks, ok, laughter or emoji: no question, starter questions offered",
}
_SIGNALS = ("q: best question-bank or FAQ match (+ its word match) · p: passage · "
            "s: best sentence · l: word match (BM25) · r: trained ranker's probability · "
            "a: best passage or sentence for the question as the adapter reads it")


def decided_by(answer: Answer, settings: Settings) -> str:
    """One line: which rule or similarity decided the kind of this reply."""
    reason = answer.reason or "—"
    if answer.kind in ("crisis", "medical") or reason.startswith(("rule:", "classifier:")):
        return f"safety screen: {reason}"
    if answer.kind == "invalid":
        return f"input check: {reason}"
    if answer.kind == "answer":
        return f"retrieval: {reason}"
    if reason.startswith(NOT_COVERED_REASONS):
        return f"retrieval: {reason}"
    return f"rule `{reason}`"


def explain(answer: Answer, settings: Settings) -> str:
    """Markdown for the review panel: kind, decision, crisis similarity, ranked sections."""
    lines = [
        f"**{answer.question[:160] or '(empty)'}**",
        "",
        f"- **Kind:** `{answer.kind}` ({_KIND.get(answer.kind, answer.kind)})",
        f"- **Decided by:** {decided_by(answer, settings)}",
        f"- **Safety:** `{answer.safety}` — {answer.safety_detail or 'not screened'} "
        f"(urgent at crisis ≥ {settings.urgent_threshold:.2f}, concern at ≥ "
        f"{settings.concern_threshold:.2f}, medical at ≥ {settings.medical_threshold:.2f}, "
        f"scope at ≥ {settings.scope_threshold:.2f})",
        f"- **Answer threshold:** calibrated probability {settings.answer_threshold:.3f}",
    ]
    if answer.candidates:
        lines += ["", "**Sections retrieved** (fused score, then its parts):", ""]
        for n, passage in enumerate(answer.candidates, start=1):
            sig = passage.signals
            mark = " ✔ quoted" if answer.sources and n == 1 and answer.kind == "answer" else ""
            parts = " · ".join(f"{k} {sig.get(k, 0):.2f}" for k in ("q", "p", "s", "l", "r", "a"))
            lines.append(f"{n}. **{passage.section.heading}** — {passage.score:.3f}{mark}  ")
            lines.append(f"   {parts} · `{passage.section.id}`")
        lines += ["", f"<small>{_SIGNALS}</small>"]
    elif answer.kind in ("no_answer", "answer"):
        lines += ["", "No section was retrieved."]
    return "\n".join(lines)
