"""Sealed sets stay sealed: nothing kapbot learns from or matches against may come from them.

No training line, rule, bank line, FAQ heading or not-covered example may share a 5-word sequence
with a sealed message, or be as close as cosine 0.9 to one. Normalised: lower case, accents
folded, and common words ("how", "does", "it", "de", "la") dropped, so the sequence is of words
that carry the content ("tallest parking structure downtown ...")."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from kapbot.bot import Bot
from kapbot.corpus import load_corpus
from kapbot.safety import dataset
from kapbot.safety.rules import rules
from kapbot.text import STOPWORDS

from .conftest import CORPUS, EVALS

SEALED = sorted((EVALS / "sealed").glob("*.jsonl"))


SPANISH_COMMON = frozenset("""de la el los las y que en un una por para con no se me mi es lo le su
al del ya tengo pero como mas muy yo tu te""".split())


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return [w for w in re.findall(r"[a-z0-9ñ']+", text)
            if w not in STOPWORDS and w not in SPANISH_COMMON]


def _grams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _sealed() -> list[str]:
    return [json.loads(line)["message"] for path in SEALED
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _ours() -> dict[str, list[str]]:
    corpus = load_corpus(CORPUS, log_problems=False)
    return {
        "training": [e.text for path in dataset.shipped_files()
                     for e in dataset.read_examples(path)],
        "rules": [f"{r.covers} {r.pattern.pattern}" for r in rules()],
        "banks": [q for s in corpus.sections for q in s.questions]
        + [s.heading for s in corpus.sections if s.is_faq],
    }


def test_there_are_sealed_sets() -> None:
    assert len(SEALED) >= 4
    assert len(_sealed()) >= 150 * len(SEALED)


def test_no_line_shares_five_words_with_a_sealed_message() -> None:
    sealed: dict[tuple[str, ...], str] = {}
    for message in _sealed():
        for gram in _grams(message):
            sealed.setdefault(gram, message)
    for source, lines in _ours().items():
        for line in lines:
            shared = _grams(line) & sealed.keys()
            assert not shared, (f"{source} line {line[:80]!r} shares "
                                f"{' '.join(next(iter(shared)))!r} with a sealed message")


@pytest.mark.model
def test_no_line_is_nearly_a_sealed_message(real_bot: Bot) -> None:
    import numpy as np

    embed = real_bot.embedder.embed
    sealed = np.asarray(embed(_sealed()), dtype=np.float32)
    for source, lines in _ours().items():
        if source == "rules":
            continue  # patterns, not sentences: the word check covers them
        vectors = np.asarray(embed(lines), dtype=np.float32)
        best = (vectors @ sealed.T).max(axis=1)
        worst = int(best.argmax())
        assert best[worst] < 0.9, f"{source} line {lines[worst]!r} is cosine {best[worst]:.3f}"
