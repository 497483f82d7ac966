"""Sealed sets stay sealed: nothing kapbot learns from or matches against may come from them.

No training line, rule, question-bank line or not-covered example may share a 5-word sequence
with a sealed message, or be as close as cosine 0.9 to one (a bank line: with one that is not an
ordinary visitor question, since those are what banks are for). Normalised: lower case, accents
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


def _sealed(ordinary: bool = True) -> list[str]:
    """The sealed messages; ``ordinary=False``: without the ordinary visitor questions, which
    are meant to resemble the practice's question banks (the banks predate every sealed set)."""
    rows = [json.loads(line) for path in SEALED
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["message"] for r in rows if ordinary or r.get("expect") != "ordinary"]


def _ours() -> dict[str, list[str]]:
    corpus = load_corpus(CORPUS, log_problems=False)
    return {
        "training": [e.text for path in dataset.shipped_files()
                     for e in dataset.read_examples(path)],
        "rules": [f"{r.covers} {r.pattern.pattern}" for r in rules()],
        # the question banks and not-covered examples (written for kapbot); an FAQ heading is the
        # practice's own writing, which a visitor may well ask word for word
        "banks": [q for s in corpus.sections for q in s.questions],
    }


def test_there_are_sealed_sets() -> None:
    assert len(SEALED) >= 4
    assert len(SEALED) >= 8 and len(_sealed()) >= 150 * len(SEALED)


def test_no_line_shares_five_words_with_a_sealed_message() -> None:
    every = set().union(*(_grams(m) for m in _sealed()))
    unusual = set().union(*(_grams(m) for m in _sealed(ordinary=False)))
    for source, lines in _ours().items():
        for line in lines:
            shared = _grams(line) & (unusual if source == "banks" else every)
            assert not shared, (f"{source} line {line[:80]!r} shares "
                                f"{' '.join(next(iter(shared)))!r} with a sealed message")


@pytest.mark.model
def test_no_line_is_nearly_a_sealed_message(real_bot: Bot) -> None:
    import numpy as np

    embed = real_bot.embedder.embed
    every = np.asarray(embed(_sealed()), dtype=np.float32)
    unusual = np.asarray(embed(_sealed(ordinary=False)), dtype=np.float32)
    for source, lines in _ours().items():
        if source == "rules":
            continue  # patterns, not sentences: the word check covers them
        vectors = np.asarray(embed(lines), dtype=np.float32)
        best = (vectors @ (unusual if source == "banks" else every).T).max(axis=1)
        worst = int(best.argmax())
        assert best[worst] < 0.9, f"{source} line {lines[worst]!r} is cosine {best[worst]:.3f}"
