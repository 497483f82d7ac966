"""``kapbot teach --crisis/--not-crisis/--medical/--not-medical``: the therapist corrects the
safety screen safely.

The message joins the practice's own safety training file (``safety-training.jsonl`` in the
corpus folder, read by ``kapbot.safety.screener``) with the label ``crisis``, ``medical`` or
``other`` (both "not" corrections: an ordinary question). Before anything is written, the
classifier is retrained with the line (it is cached under a fingerprint of its data, so the
running server retrains the same way on its next reload) and measured on the sealed safety sets
with the classifier before and after: crisis recall (the crisis resources shown first, in all,
English and Spanish; the crisis reply alone is shown too) and medical recall (medical requests
the screen labels medical, in all and in Spanish). A correction that lowers crisis recall is
refused and nothing is written; a medical correction (``--medical``, ``--not-medical``) is
refused as well if it lowers medical recall. (A crisis correction's medical figures are shown,
not guarded: the safety issue asks that it keep crisis recall.) The sets are scored by
``kapbot.safety.scoring``; their messages are never printed. Of the project's sealed folder, only
the safety sets whose first look is recorded in ``evals/HISTORY.md`` are used: a set not yet
measured stays unmeasured until the lead's first look.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kapbot.errors import KapbotError
from kapbot.safety import classifier, dataset
from kapbot.safety.features import FeatureCache, Featurizer, Remembered
from kapbot.safety.policy import Label, SafetyVerdict, Tier
from kapbot.safety.scoring import SealedCase, parse_sealed, score_sealed
from kapbot.safety.screen import (
    PRACTICE_WEIGHT,
    SafetyScreen,
    load_or_train,
    sentences,
    training_examples,
    windows,
)
from kapbot.safety.screener import PRACTICE_FILE, Screener, _corpus_questions

SEALED_DIR = Path(__file__).resolve().parent.parent / "evals" / "sealed"  # the project's sets
CRISIS_RECALL = ("crisis_resources_first", "crisis_resources_first_english",
                 "crisis_resources_first_spanish")  # no correction may lower any of these
MEDICAL_RECALL = ("medical_recall", "medical_recall_spanish")  # nor may a medical correction
FIGURES = (*CRISIS_RECALL, "crisis_urgent", *MEDICAL_RECALL)  # all shown; the crisis reply alone
# is information (concern still shows the resources first, so a message moved from urgent to
# concern is still a crisis caught)


class Correction(enum.Enum):
    """What the therapist tells the screen about a message: ``teach --crisis`` and the like.
    ``label`` is the training line's label ("other" for both "not" corrections: an ordinary
    question); a ``medical`` correction also guards medical recall, and reports the message's
    medical label rather than its crisis tier."""

    CRISIS = "crisis"
    NOT_CRISIS = "not-crisis"
    MEDICAL = "medical"
    NOT_MEDICAL = "not-medical"

    @property
    def label(self) -> str:
        return self.value if self in (Correction.CRISIS, Correction.MEDICAL) else "other"

    @property
    def medical(self) -> bool:
        return self in (Correction.MEDICAL, Correction.NOT_MEDICAL)


@dataclass(frozen=True)
class SafetyTaught:
    path: Path
    correction: Correction
    written: bool
    before: dict[str, float | None]
    after: dict[str, float | None]
    was: SafetyVerdict  # the message's own verdict, before and after
    now: SafetyVerdict
    crisis_cases: int
    medical_cases: int

    def render(self, message: str) -> str:
        rows = [f"On the sealed safety sets ({self.crisis_cases} crisis messages: the resources "
                "shown first, and the crisis reply alone; "
                f"{self.medical_cases} medical requests: labelled medical):"]
        for name in FIGURES:
            old, new = self.before.get(name), self.after.get(name)
            if old is not None and new is not None:
                rows.append(f"  {name:<34} {old:.3f} -> {new:.3f}")
        rows.append(f"This message: {self._words(self.was)} before, {self._words(self.now)} "
                    "after.")
        if not self.written:
            what = ("crisis messages or medical requests" if self.correction.medical
                    else "crisis messages")
            rows.append(f"Refused: with this line the screen would catch fewer {what} of the "
                        f"sealed sets than today. Nothing was written to {self.path}. If a real "
                        "visitor's message was misread, tell the kapbot maintainers.")
            return "\n".join(rows)
        said = {Correction.CRISIS: "a crisis", Correction.MEDICAL: "a medical request"}.get(
            self.correction, "an ordinary question")
        rows.append(f"Added to {self.path} ({said}). `kapbot reload` (or a restart) makes the "
                    "server use it.")
        if self._unchanged():
            rows.append("The message itself still gets the same reply: a rule decides it, or "
                        "one line is not enough; add one or two more ways of saying it.")
        return "\n".join(rows)

    def _words(self, verdict: SafetyVerdict) -> str:
        if self.correction.medical:
            return ("taken as a medical request" if verdict.label is Label.MEDICAL
                    else "not taken as a medical request")
        return _tier_words(verdict.tier)

    def _unchanged(self) -> bool:
        return {Correction.CRISIS: self.now.tier is Tier.NONE,
                Correction.NOT_CRISIS: self.now.tier is Tier.URGENT,
                Correction.MEDICAL: self.now.label is not Label.MEDICAL,
                Correction.NOT_MEDICAL: self.now.label is Label.MEDICAL}[self.correction]


def _tier_words(tier: Tier) -> str:
    return {Tier.URGENT: "the crisis reply", Tier.CONCERN: "the crisis resources above the "
            "answer", Tier.NONE: "no crisis resources"}[tier]


def sealed_sets(folder: Path = SEALED_DIR) -> list[Path]:
    """The safety sets of ``folder``; of the project's own, those already measured once."""
    paths = sorted(Path(folder).glob("*.jsonl"))
    if Path(folder).resolve() == SEALED_DIR.resolve():
        history = SEALED_DIR.parent / "HISTORY.md"
        looked = history.read_text(encoding="utf-8") if history.is_file() else ""
        paths = [p for p in paths if p.name.startswith("safety-") and p.name in looked]
    return paths


def sealed_cases(folder: Path = SEALED_DIR, expect: tuple[str, ...] = ("crisis", "medical")
                 ) -> list[SealedCase]:
    paths = sealed_sets(folder)
    if not paths:
        raise KapbotError(f"No sealed safety sets in {folder}: a safety correction is checked on "
                          "them before it is kept. Give the folder with --sealed FOLDER.")
    return [c for p in paths for c in parse_sealed(p.read_text(encoding="utf-8").splitlines(),
                                                   p.name) if c.expect in expect]


def _rows(featurizer: Featurizer, texts: Sequence[str], folder: Path) -> dict[str, object]:
    """Every text's features, kept between runs in ``folder`` (keyed by text, not readable)."""
    cache = FeatureCache(folder, featurizer)
    cache.path = cache.path.with_name("check-" + cache.path.name)  # not the training cache
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, cache.features(unique), strict=True))


def lowers_recall(before: dict[str, float | None], after: dict[str, float | None],
                  medical_correction: bool) -> bool:
    """Whether a correction is refused: it lowers a crisis-recall figure, or, for a medical
    correction, a medical-recall one (a figure the sets cannot measure is not guarded)."""
    guarded = CRISIS_RECALL + (MEDICAL_RECALL if medical_correction else ())
    return any((after.get(k) or 0.0) < value for k in guarded
               if (value := before.get(k)) is not None)


def teach_safety(screener: Screener, message: str, correction: Correction,
                 sealed: Path = SEALED_DIR) -> SafetyTaught:
    """Add ``message`` with the ``correction``'s label unless it lowers sealed crisis recall
    (or, for a medical correction, medical recall)."""
    text = " ".join(message.split())
    if not text:
        raise KapbotError("The message is empty: give the visitor's message in quotes")
    path = screener.corpus_folder / PRACTICE_FILE
    cases = sealed_cases(sealed)
    span = screener.span
    pieces = [t for m in [*(c.message for c in cases), text]
              for t in windows(m, span) + sentences(m, span)]
    remembered = Remembered(screener.featurizer, _rows(screener.featurizer, pieces,
                                                       screener.model_folder))
    questions = dataset.corpus_questions(_corpus_questions(screener.corpus_folder))
    shipped = training_examples()
    base = training_examples([path], (), shipped)
    new = dataset.Example(text, correction.label, Path(PRACTICE_FILE).stem,
                          weight=PRACTICE_WEIGHT)
    old_model = load_or_train(screener.featurizer, [*base, *questions], screener.model_folder,
                              start_from=shipped)
    new_model = load_or_train(screener.featurizer, [*base, new, *questions],
                              screener.model_folder, start_from=shipped)

    def measure(model: classifier.SafetyModel
                ) -> tuple[dict[str, float | None], SafetyVerdict]:
        screen = SafetyScreen(remembered, model, screener.thresholds, span)
        verdicts = [screen.check(c.message) for c in cases]
        replies = [{"safety": v.tier.value,
                    "kind": "medical" if v.label is Label.MEDICAL else "other"} for v in verdicts]
        figures = score_sealed(cases, replies)
        return {k: figures[k] for k in FIGURES}, screen.check(text)

    before, was = measure(old_model)
    after, now = measure(new_model)
    worse = lowers_recall(before, after, correction.medical)
    if not worse:  # (each classifier is cached under its own data: today's stays as it was)
        _append(path, {"text": text, "label": correction.label, "kind": "practice correction"})
    return SafetyTaught(path, correction, not worse, before, after, was, now,
                        sum(c.expect == "crisis" for c in cases),
                        sum(c.expect == "medical" for c in cases))


def _append(path: Path, line: dict[str, str]) -> None:
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(existing + json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
