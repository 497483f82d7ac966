"""The safety screen: every message, whole and in windows of a few sentences, through the
classifier; the rules as a floor; the policy turns it into a tier and a label.

A long message is read in windows so a crisis in its twentieth sentence still counts, and each
window keeps its neighbours (so "I attempted years ago. I'm well now." is read together). An
over-long message is screened on its first and last ``span`` characters before the "too long"
reply. Nothing here needs the index, Chroma or a network: the crisis reply never waits on them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from kapbot import npzfile
from kapbot.safety import classifier, dataset, ngrams
from kapbot.safety.features import FeatureCache, Featurizer
from kapbot.safety.policy import SafetyVerdict, Thresholds, decide
from kapbot.safety.rules import first_match
from kapbot.text import clauses

log = logging.getLogger("kapbot.safety")

WINDOW_CHARS = 240  # a window: consecutive sentences up to about this many characters
MOST_SENTENCES = 40  # sentences of a long message also read alone (the first and last ones)
MIN_SENTENCES = 4  # from this many sentences, each is also read alone (windows dilute a crisis)
# trained classifiers kept in the cache folder (one per corpus and data), the least recently
# used going first: 2 MB each
KEEP_MODELS = 12
# a line of the practice's own corrections (``kapbot teach --crisis/--not-crisis``) counts as
# this many shipped lines: one correction moves the message it names past the urgent threshold
PRACTICE_WEIGHT = 10.0


def windows(message: str, span: int = 2000, window_chars: int = WINDOW_CHARS) -> list[str]:
    """The texts the classifier reads for ``message``: the message itself, then (when it is
    longer than one window) windows of consecutive sentences. Over ``2 × span`` characters, only
    the first and the last ``span`` are read."""
    parts = [message] if len(message) <= 2 * span else [message[:span], message[-span:]]
    found: list[str] = []
    for part in parts:
        current = ""
        for piece in _pieces(part, window_chars):
            if current and len(current) + 1 + len(piece) > window_chars:
                found.append(current)
                current = piece
            else:
                current = f"{current} {piece}".strip()
        if current:
            found.append(current)
    head = parts[0] if len(parts) == 1 else message[:span]
    return [head] if found in ([], [head]) else [head, *found]


def sentences(message: str, span: int = 2000, most: int = MOST_SENTENCES) -> list[str]:
    """The sentences of a longer message (``MIN_SENTENCES`` or more), each to be read alone (at
    most ``most``: the first and the last halves when there are more); none for a short one,
    which the classifier reads whole, with its context."""
    parts = [message] if len(message) <= 2 * span else [message[:span], message[-span:]]
    found = [p for part in parts for p in _pieces(part, WINDOW_CHARS)]
    if len(found) < MIN_SENTENCES:
        return []
    return found if len(found) <= most else found[: most // 2] + found[-(most // 2) :]


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for clause in clauses(text):
        while len(clause) > limit:  # a run-on "sentence": cut at a space near the limit
            cut = clause.rfind(" ", limit // 2, limit)
            cut = cut if cut > 0 else limit
            out.append(clause[:cut].strip())
            clause = clause[cut:].strip()
        if clause:
            out.append(clause)
    return out


class SafetyScreen:
    def __init__(self, featurizer: Featurizer, model: classifier.SafetyModel,
                 thresholds: Thresholds, span: int = 2000) -> None:
        self.featurizer = featurizer
        self.model = model
        self.thresholds = thresholds
        self.span = span

    def check(self, message: str, vector: Sequence[float] | None = None,
              multilingual: Sequence[float] | None = None) -> SafetyVerdict:
        """``vector``, ``multilingual``: the message's MiniLM and multilingual vectors, when
        the caller has them already."""
        texts = windows(message, self.span)
        alone = sentences(message, self.span)
        every = texts + alone
        given: list[list[list[float]] | None] = [None, None]
        for i, (known, model) in enumerate(((vector, self.featurizer.base),
                                            (multilingual, self.featurizer.multilingual))):
            if known is not None and texts[0] == message:
                given[i] = [list(known), *(model.embed(every[1:]) if len(every) > 1 else [])]
        probabilities = self.model.probabilities(
            self.featurizer.features(every, given[0], given[1]), every)
        return decide(probabilities[: len(texts)], self.thresholds, first_match(message),
                      probabilities[len(texts) :], first_match(message, "concern"))


def training_examples(extra_files: Sequence[Path] = (), corpus_questions: Sequence[str] = (),
                      shipped: Sequence[dataset.Example] | None = None) -> list[dataset.Example]:
    """The shipped lines (read now, unless ``shipped`` gives them), then the practice's
    corrections (``extra_files``) and its questions."""
    examples = list(shipped) if shipped is not None else [
        ex for path in dataset.shipped_files() for ex in dataset.read_examples(path)]
    for path in extra_files:
        if path.is_file():
            examples += dataset.read_examples(path, weight=PRACTICE_WEIGHT)
    return examples + dataset.corpus_questions(corpus_questions)


def load_or_train(featurizer: Featurizer, examples: Sequence[dataset.Example], folder: Path,
                  c: float = classifier.C, start_from: Sequence[dataset.Example] = ()
                  ) -> classifier.SafetyModel:
    """The classifier for ``examples``: loaded from ``folder`` when it was trained on the same
    data and settings, else trained now (deterministic) and saved there.

    ``start_from``: most of the same lines (the shipped ones, ``training_examples()``). Their
    classifier, loaded or trained the same way and shared by every corpus, is where the fit
    starts: a practice's lines added to it take seconds, not the half-minute of a fit from 0."""
    start = list(start_from) if list(start_from) != list(examples) else []
    fingerprint = _fingerprint(featurizer, examples, c, start)
    path = model_path(folder, fingerprint)
    # one lock per model: two processes training different corpora's classifiers fit at once
    # (each fit keeps one core busy); the texts' features have a lock of their own (``_train``)
    return npzfile.made_once(folder, f"safety-training-{fingerprint[:16]}",
                             lambda: _load(path, fingerprint),
                             lambda: _train(featurizer, examples, folder, c, fingerprint,
                                            start))


def _load(path: Path, fingerprint: str) -> classifier.SafetyModel | None:
    model = classifier.load(path, fingerprint)
    if model is not None:
        with contextlib.suppress(OSError):  # used now: the last to go (``_keep_newest``)
            os.utime(path)
    return model


def _train(featurizer: Featurizer, examples: Sequence[dataset.Example], folder: Path, c: float,
           fingerprint: str, start_from: Sequence[dataset.Example]) -> classifier.SafetyModel:
    path = model_path(folder, fingerprint)
    start = load_or_train(featurizer, start_from, folder, c) if start_from else None
    log.info("Training the safety classifier on %d examples%s", len(examples),
             f", from the classifier of {len(start_from)}" if start_from else "")
    cache = FeatureCache(folder, featurizer)
    with npzfile.one_at_a_time(folder, "safety-features"):  # embedded by one process at a time:
        features = cache.features([ex.text for ex in examples])  # the next finds them saved
    model = classifier.train(features, [ex.text for ex in examples], [ex.label for ex in examples],
                             [ex.weight for ex in examples], fingerprint, c, start)
    classifier.save(model, path)
    _keep_newest(folder)
    del features
    _give_back_memory()  # training's buffers are not kept by a serving process
    return model


def _fingerprint(featurizer: Featurizer, examples: Sequence[dataset.Example], c: float,
                 start_from: Sequence[dataset.Example]) -> str:
    start = [f"start={_fingerprint(featurizer, start_from, c, ())}"] if start_from else []
    return dataset.fingerprint(examples, featurizer.name, f"C={c}", f"tol={classifier.TOL}",
                               ngrams.NAME, *start)


def model_path(folder: Path, fingerprint: str) -> Path:
    """Where the classifier trained under ``fingerprint`` is kept: one file per corpus and data,
    so data folders (or practices) sharing a cache folder do not retrain each other's."""
    return folder / f"safety-model-{fingerprint[:16]}.npz"


def _keep_newest(folder: Path) -> None:
    """The ``KEEP_MODELS`` most recently used classifiers stay (a load touches its file)."""
    models = sorted(folder.glob("safety-model-*.npz"), key=_used)
    for old in models[:-KEEP_MODELS]:
        old.unlink(missing_ok=True)
        key = old.stem.removeprefix("safety-model-")
        npzfile.remove_lock(folder, f"safety-training-{key}")  # unless held: it stays


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # gone meanwhile (another process's clean-up)
        return 0.0


def _give_back_memory() -> None:
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
