"""Screening a message before any retrieval: crisis first, then medical advice. Pure and
deterministic: rules over a normalised form of the message (lower case, straight quotes,
common misspellings folded), so the same message always gets the same decision.

A crisis message never gets article text: it gets the crisis resources (``wording.CRISIS``).
A medical-advice request (doses, interactions, contraindications, changing medication, getting
ketamine, using it alone) gets ``wording.MEDICAL`` and never a dose or a yes/no safety verdict.
Requests outside the assistant's scope (a diagnosis, role-play as the therapist, instructions
aimed at the assistant) get the polite no-answer reply. The full safety layer (a semantic
screen, more evidence) builds on this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from kapbot.safety_rules import CRISIS, FOLD, MEDICAL, SCOPE

Verdict = Literal["", "crisis", "scope", "medical"]


@dataclass(frozen=True)
class Screen:
    verdict: Verdict
    rule: str = ""  # which rule decided, for review and eval; never shown to visitors
    similarity: float = 0.0  # nearest crisis example (semantic screen), for review and eval


_CRISIS_RX = tuple((name, re.compile(rx)) for name, rx in CRISIS)
_MEDICAL_RX = tuple((name, re.compile(rx)) for name, rx in MEDICAL)
_SCOPE_RX = tuple((name, re.compile(rx)) for name, rx in SCOPE)
_FOLD_RX = tuple((re.compile(rx), repl) for rx, repl in FOLD.items())


def normalise(message: str) -> str:
    text = message.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^a-z0-9'./ ]+", " ", text)
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)  # "sooooo" → "soo"
    for rx, repl in _FOLD_RX:
        text = rx.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


# Words about suicide or self-harm in a clearly resolved past ("I was suicidal years ago and have
# been stable since, could KAP help me stay well?") are not a crisis. Only these rules, and the
# semantic screen, give way to resolved history: methods, overdoses and emergencies never do,
# and any sign of the present ("again", "lately", "tonight") keeps the crisis reply.
_SOFT_RULES = frozenset({"suicide", "kill-self", "self-harm", "want-die"})
_PAST = re.compile(
    r"\b(in (19|20)\d\d|(died|death|lost (him|her|them|my \w+)) (by|to) suicide|years ago|"
    r"when i was (a )?(teen|teenager|kid|child|\d+)|as a (teen|teenager|kid)|in "
    r"(high school|college)|back in (\d{4}|college|high school)|used to|in my (teens|twenties))\b"
)
_RECOVERED = re.compile(
    r"\b(haven't (had|felt|done|thought|self harmed)|not since|in a (good|better|much better) "
    r"place|stable (since|for|now)|doing (well|better|great)|safe now|recovered|been well|"
    r"got me through|that was (a long time|years) ago|haven't in (over )?\d+ years|haven't since|"
    r"(stable|safe|well) (and safe )?for years|stable for (over |more than )?(a decade|\d+ "
    r"years)|haven't in (more than|over) \d+ years|doing (okay|ok|alright)|still grieving|"
    r"anniversary)\b"
)
_PRESENT = re.compile(
    r"\b(again|tonight|today|lately|these days|right now|this week|coming back|is back|are "
    r"back|starting to|have a plan|want to die|going to|thinking about (it|suicide|ending))\b"
)


def resolved_history(message: str) -> bool:
    """True when suicide or self-harm is mentioned only as a resolved past."""
    text = normalise(message)
    return bool(_PAST.search(text) and _RECOVERED.search(text) and not _PRESENT.search(text))


_TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof", "lmft", "lcsw", "phd", "psyd", "md", "pmhnp"}


def name_aliases(name: str) -> tuple[str, ...]:
    """How a visitor may name the therapist: "Dr. Jane Q. Smith, PhD" → ("jane smith",
    "jane", "smith"). The rules then read any of them as "the therapist"."""
    words = [w for w in normalise(name).replace(".", " ").replace(",", " ").split()
             if w not in _TITLES and len(w) > 2]
    return tuple(dict.fromkeys([" ".join(words), *words])) if words else ()


def screen(message: str, names: Sequence[str] = ()) -> Screen:
    """Crisis wins over everything ("how many mg would it take to not wake up" is a crisis);
    then scope (diagnosis, role-play, instructions aimed at the assistant), then medical.
    ``names``: the therapist's name as visitors may write it (``name_aliases``)."""
    text = normalise(message)
    for alias in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(alias)}\b", "the therapist", text)
    resolved = resolved_history(message)
    for name, rx in _CRISIS_RX:
        if rx.search(text) and not (resolved and name in _SOFT_RULES):
            return Screen("crisis", name)
    for name, rx in _SCOPE_RX:
        if rx.search(text):
            return Screen("scope", name)
    for name, rx in _MEDICAL_RX:
        if rx.search(text):
            return Screen("medical", name)
    return Screen("")


class Table(Protocol):
    """Fixed unit vectors answering "how close is the nearest one to this vector?"."""

    def __len__(self) -> int: ...

    def nearest(self, vector: Sequence[float]) -> float: ...


@dataclass(frozen=True)
class Vectors:
    """A ``Table`` in plain Python (the bot passes a faster one from ``kapbot.embeddings``)."""

    rows: tuple[tuple[float, ...], ...]

    def __len__(self) -> int:
        return len(self.rows)

    def nearest(self, vector: Sequence[float]) -> float:
        return max((sum(x * y for x, y in zip(vector, row, strict=True)) for row in self.rows),
                   default=0.0)


@dataclass(frozen=True)
class SemanticScreen:
    """Crisis by meaning: the message's embedding against crisis examples and look-alikes
    (``kapbot.exemplars``, embedded once by the bot with the same model as retrieval)."""

    crisis: Table
    look_alikes: Table
    threshold: float
    margin: float

    def check_all(self, vectors: Sequence[Sequence[float]], extra: float = 0.0) -> Screen:
        """The first of several vectors (the message, then its sentences) that is a crisis;
        ``extra`` raises the threshold."""
        nearest = 0.0
        for vector in vectors:
            found = self.check(vector, extra)
            if found.verdict:
                return found
            nearest = max(nearest, found.similarity)
        return Screen("", similarity=nearest)

    def check(self, vector: Sequence[float], extra: float = 0.0) -> Screen:
        if not len(self.crisis):
            return Screen("")
        near_crisis = self.crisis.nearest(vector)
        near_safe = self.look_alikes.nearest(vector)
        if near_crisis >= self.threshold + extra and near_crisis >= near_safe + self.margin:
            return Screen("crisis", f"semantic {near_crisis:.2f} (look-alike {near_safe:.2f})",
                          near_crisis)
        return Screen("", similarity=near_crisis)
