"""Sealed sets stay sealed: nothing kapbot learns from or matches against may come from them.

No training line, rule, question-bank line (the corpus's, or one the question adapter learnt
from), question the shared answer decision learnt from or not-covered example may share a
5-word sequence with a sealed message, or be as close as cosine 0.9 to one (a bank line or such
a question: with one that is not an ordinary visitor question, since those are what banks are
for). Normalised: lower case, accents folded, and common words ("how", "does", "it", "de",
"la") dropped, so the sequence is of words that carry the content ("tallest parking structure
downtown ...")."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kapbot.bot import Bot
from kapbot.corpus.reader import load_corpus
from kapbot.ranking.adapter import ADAPTER_FILE
from kapbot.safety import dataset
from kapbot.safety.rules import rules
from kapbot.text import STOPWORDS

from .conftest import CORPUS, EVALS

SEALED = sorted((EVALS / "sealed").glob("*.jsonl"))
SECOND_PRACTICE = Path(__file__).resolve().parent / "second_practice"
ADAPTER_LINES = ADAPTER_FILE.with_name("question-adapter-lines.txt")
SHARED_DECISION = sorted((EVALS / "shared-decision").glob("*.jsonl"))
FOLLOW_UP = sorted([*(EVALS / "follow-up-train").glob("*.jsonl"),
                    *(EVALS / "follow-up-check").glob("*.jsonl")])


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




def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for path in SEALED
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sealed(ordinary: bool = True) -> list[str]:
    """The sealed messages (safety sets' ``message``, question sets' ``question`` and the
    earlier messages of a follow-up); ``ordinary=False``: without the safety sets' ordinary
    visitor questions, which predate no bank and may resemble it. The question sets' questions
    stay in: no bank line may come from them."""
    out: list[str] = []
    for row in _rows():
        if ordinary or row.get("expect") != "ordinary":
            out.append(str(row.get("message") or row.get("question")))
            out += [str(h) for h in row.get("history") or []]  # a follow-up's earlier turns
    return out


def sealed_vectors(bot: Bot) -> list[list[float]]:
    """The MiniLM vector of each of ``_sealed()``, kept between runs beside the test cache's
    models (the sets never change: a new set adds its messages only)."""
    from kapbot.index.vectorcache import VectorCache

    folder = bot.screener.model_folder / "sealed-vectors"
    return VectorCache(bot.embedder, folder).embed(_sealed())


def _ours() -> dict[str, list[str]]:
    corpus = load_corpus(CORPUS, log_problems=False)
    second = load_corpus(SECOND_PRACTICE / "corpus", log_problems=False)
    return {
        "training": [e.text for path in dataset.shipped_files()
                     for e in dataset.read_examples(path)],
        "rules": [f"{r.covers} {r.pattern.pattern}" for r in rules()],
        # the question banks and not-covered examples (written for kapbot); an FAQ heading is the
        # practice's own writing, which a visitor may well ask word for word
        "banks": [q for c in (corpus, second) for s in c.sections for q in s.questions],
        # the bank lines the question adapter learnt from (other practices' banks too)
        "adapter": ADAPTER_LINES.read_text(encoding="utf-8").splitlines(),
        # the questions the shared answer decision learnt from (other practices' visitors)
        "shared-decision": [row["question"] for row in _jsonl(SHARED_DECISION)],
        # the conversations the follow-up model learnt from or is checked on (other practices'
        # visitors)
        "follow-up": [text for row in _jsonl(FOLLOW_UP)
                      for text in (row["message"], *row["history"])],
    }


def _jsonl(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# checked against the sealed messages but ordinary questions
BANK_RULE = ("banks", "adapter", "shared-decision", "follow-up")


MINIMUM_LINES = {"safety": 150, "questions": 100, "second-practice": 100, "spanish": 80,
                 "new-practice": 60}


def test_there_are_sealed_sets() -> None:
    kinds = [path.name.rsplit("-", 1)[0] for path in SEALED]
    assert kinds.count("safety") >= 4 and kinds.count("questions") >= 3
    assert kinds.count("spanish") >= 2 and kinds.count("second-practice") >= 1
    for path, kind in zip(SEALED, kinds, strict=True):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert len(lines) >= MINIMUM_LINES[kind], path.name


def test_no_line_shares_five_words_with_a_sealed_message() -> None:
    every = set().union(*(_grams(m) for m in _sealed()))
    unusual = set().union(*(_grams(m) for m in _sealed(ordinary=False)))
    for source, lines in _ours().items():
        for line in lines:
            shared = _grams(line) & (unusual if source in BANK_RULE else every)
            assert not shared, (f"{source} line {line[:80]!r} shares "
                                f"{' '.join(next(iter(shared)))!r} with a sealed message")


@pytest.mark.model
def test_no_line_is_nearly_a_sealed_message(real_bot: Bot) -> None:
    import numpy as np

    from kapbot.safety.features import FeatureCache

    embed = real_bot.embedder.embed
    # each message embedded once per machine: kept in .test-cache, made by tests/prepare.py
    sealed = dict(zip(_sealed(), sealed_vectors(real_bot), strict=True))
    every = np.asarray(list(sealed.values()), dtype=np.float32)
    unusual = np.asarray([sealed[m] for m in _sealed(ordinary=False)], dtype=np.float32)
    # the MiniLM part of the screen's cached training features (the same model): the training
    # lines are not embedded again
    cached = FeatureCache(real_bot.screener.model_folder, real_bot.screener.featurizer)
    for source, lines in _ours().items():
        if source == "rules":
            continue  # patterns, not sentences: the word check covers them
        vectors = np.asarray(cached.features(lines)[:, : every.shape[1]] if source == "training"
                             else embed(lines), dtype=np.float32)
        best = (vectors @ (unusual if source in BANK_RULE else every).T).max(axis=1)
        worst = int(best.argmax())
        assert best[worst] < 0.9, f"{source} line {lines[worst]!r} is cosine {best[worst]:.3f}"


def test_each_sealed_file_is_as_first_committed() -> None:
    """A sealed set is written once: the folder holds sets only, each touched by exactly one
    commit, and what is there now is what that commit held. Skipped outside a git checkout."""
    import shutil
    import subprocess

    root = EVALS.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    assert sorted((EVALS / "sealed").iterdir()) == SEALED  # no README or other file beside them
    for path in SEALED:
        name = path.relative_to(root).as_posix()
        commits = subprocess.run(["git", "log", "--format=%H", "--", name], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.split()
        if not commits:
            continue  # not committed yet: the commit that adds it is its first version
        assert len(commits) == 1, f"{name} was changed after the commit that added it"
        first = subprocess.run(["git", "show", f"{commits[0]}:{name}"], cwd=root,
                               capture_output=True, check=True).stdout
        assert path.read_bytes() == first, f"{name} changed after the commit that added it"


def test_each_sealed_set_has_its_first_look_recorded() -> None:
    """Every sealed set is in evals/HISTORY.md's index (date, before, after) and has a section
    with its own first-look table."""
    history = (EVALS / "HISTORY.md").read_text(encoding="utf-8")
    for path in SEALED:
        name = f"evals/sealed/{path.name}"
        assert re.search(rf"^\| `{re.escape(name)}` \| \d{{4}}-\d\d-\d\d \|", history, re.M), name
        assert history.count(path.stem) >= 2, f"{name}: no first-look section"
