"""The safety classifier's training data: JSON Lines files of labelled messages, each written by
a separate writer who saw only a brief and the practice's article (``data/train/*.brief.md``).

A line: ``{"text": ..., "label": "crisis|medical|scope|other", "lang": "en|es|spanglish",
"kind": "a short tag"}``. A practice can add its own file (``safety_training_file`` in the
corpus folder, written by ``kapbot teach --crisis/--not-crisis``); the corpus's question banks
and FAQ headings are added as ``other`` (they are what visitors ask about).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kapbot.errors import CorpusError

LABELS: tuple[str, ...] = ("crisis", "medical", "scope", "other")
LANGS = ("en", "es", "spanglish")
TRAIN_DIR = Path(__file__).resolve().parent / "data" / "train"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    source: str  # file stem: the writer, or "corpus" for the practice's own questions
    lang: str = "en"
    kind: str = ""
    weight: float = 1.0


def shipped_files() -> list[Path]:
    return sorted(TRAIN_DIR.glob("*.jsonl"))


def read_examples(path: Path, weight: float = 1.0) -> list[Example]:
    """Every labelled line of ``path``; a bad line raises ``CorpusError`` naming it."""
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"Cannot read the safety training file {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            text, label = str(data["text"]).strip(), str(data["label"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path.name}:{number}: each line should be a JSON object with "
                              f"\"text\" and \"label\" ({exc})") from exc
        if label not in LABELS:
            raise CorpusError(f"{path.name}:{number}: label {label!r} should be one of "
                              f"{', '.join(LABELS)}")
        if text:
            examples.append(Example(text, label, path.stem, str(data.get("lang", "en")),
                                    str(data.get("kind", "")), weight))
    return examples


def corpus_questions(questions: Iterable[str], weight: float = 0.5) -> list[Example]:
    """The practice's own bank lines and FAQ headings, as ordinary visitor questions."""
    unique = dict.fromkeys(q.strip() for q in questions if q.strip())
    return [Example(q, "other", "corpus", kind="bank", weight=weight) for q in unique]


def fingerprint(examples: Sequence[Example], *parts: str) -> str:
    """Changes when any example, its label or weight, or any of ``parts`` (the encoders'
    names, the training settings) changes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for ex in examples:
        digest.update(f"{ex.label}\t{ex.weight}\t{ex.text}\n".encode())
    return digest.hexdigest()[:16]
