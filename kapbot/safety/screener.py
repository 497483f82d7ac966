"""What ``Bot`` holds: the safety screen, made ready once per process (it needs the models, not
the index) and asked for every message.

``ready()`` loads the classifier trained on the shipped training data, the practice's own
corrections (``PRACTICE_FILE`` in the corpus folder) and the corpus's own questions, or trains it
when any of them changed. Until it is ready, and if a model fails, the rules still screen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from kapbot.errors import CorpusError
from kapbot.safety.features import Embedder, Featurizer
from kapbot.safety.policy import Label, SafetyVerdict, Thresholds, Tier, decide
from kapbot.safety.rules import first_match
from kapbot.safety.screen import SafetyScreen, load_or_train, training_examples

log = logging.getLogger("kapbot.safety")

PRACTICE_FILE = "safety-training.jsonl"  # in the corpus folder: the practice's own corrections


class Screener:
    def __init__(self, base: Embedder, multilingual: Embedder, thresholds: Thresholds,
                 model_folder: Path, corpus_folder: Path, span: int = 2000) -> None:
        self.featurizer = Featurizer(base, multilingual)
        self.thresholds = thresholds
        self.model_folder = model_folder
        self.corpus_folder = corpus_folder
        self.span = span
        self._screen: SafetyScreen | None = None
        self._lock = threading.Lock()

    @property
    def is_ready(self) -> bool:
        return self._screen is not None

    def ready(self) -> None:
        """Load or train the classifier for the current data (a few seconds when it trains
        from cached features; about a minute the first time on a new machine)."""
        if min(self.thresholds.urgent, self.thresholds.concern, self.thresholds.medical,
               self.thresholds.scope) >= 1.0:
            return  # every threshold at 1 ("never"): the classifier is off, the rules screen
        with self._lock:
            shipped = training_examples()
            examples = training_examples([self.corpus_folder / PRACTICE_FILE],
                                         _corpus_questions(self.corpus_folder), shipped)
            model = load_or_train(self.featurizer, examples, self.model_folder,
                                  start_from=shipped)
            if self._screen is None or self._screen.model.fingerprint != model.fingerprint:
                self._screen = SafetyScreen(self.featurizer, model, self.thresholds, self.span)
            # both encoders loaded now, not on a visitor's first message; the multilingual one
            # first: its load holds its 65 MB table twice for a moment, before the other model
            # is in memory (the process's peak stays its working size)
            self.featurizer.multilingual.embed(["ready"])
            self.featurizer.base.embed(["ready"])

    def check(self, message: str, vector: Sequence[float] | None = None,
              multilingual: Sequence[float] | None = None) -> SafetyVerdict:
        """The full screen: every window of the message through the classifier, and the rules.
        ``vector``, ``multilingual``: the message's MiniLM and multilingual vectors when the
        caller has them (reused, not recomputed). If the classifier cannot run, the rules
        decide alone."""
        screen = self._screen
        if screen is not None:
            try:
                return screen.check(message, vector, multilingual)
            except Exception:
                log.exception("The safety classifier failed; the rules still screen")
        return self.rules_only(message)

    def rules_only(self, message: str) -> SafetyVerdict:
        """The rules alone: no model work (for a visitor over a limit)."""
        rule, concern = first_match(message), first_match(message, "concern")
        if rule or concern:
            return decide([], self.thresholds, rule, concern_rule=concern)
        return SafetyVerdict(Tier.NONE, Label.OTHER, "rules only: no rule matched")


def _corpus_questions(folder: Path) -> list[str]:
    """The practice's bank lines and FAQ headings: ordinary visitor questions."""
    from kapbot.corpus.reader import load_corpus

    try:
        corpus = load_corpus(folder, log_problems=False)  # the index build logs them
    except CorpusError:
        return []
    return [q for s in corpus.sections for q in s.own_questions]
