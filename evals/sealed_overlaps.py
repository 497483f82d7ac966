"""Training lines that overlap a sealed set (the test in tests/test_sealed.py), and, with
``--drop``, remove them from the training files (the safety screen's, the questions of
``evals/shared-decision/`` and the conversations of ``evals/follow-up-train/`` and
``evals/follow-up-check/``): a shared 5-word
sequence (common words dropped) or cosine ≥ 0.9 with MiniLM. Only the training files change;
nothing of a sealed message is printed, and the count removed per file goes in
data/train/README.md (or the folder's README.md).

    .venv/bin/python evals/sealed_overlaps.py [--drop] [--only FILE_NAME] --data-dir DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Overlaps:
    """Which texts overlap the given sealed messages: a shared 5-word sequence (common words
    dropped, as in tests/test_sealed.py) or cosine ≥ 0.9 with MiniLM."""

    def __init__(self, sealed: list[str], data_dir: Path) -> None:
        import numpy as np

        from kapbot.index.embeddings import OnnxEmbedder
        from tests.test_sealed import _grams

        self._words = _grams
        self.grams = set().union(*(_grams(m) for m in sealed))
        self.embedder = OnnxEmbedder("", data_dir / "onnx")
        self.vectors = np.asarray(self.embedder.embed(sealed), dtype=np.float32)

    def __call__(self, texts: list[str]) -> list[bool]:
        import numpy as np

        if not texts:
            return []
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        near = (vectors @ self.vectors.T).max(axis=1) >= 0.9
        return [bool(close) or bool(self._words(text) & self.grams)
                for text, close in zip(texts, near, strict=True)]


def _texts(row: dict[str, object], fields: tuple[str, ...]) -> list[str]:
    """A line's texts: each field's string, or each string of a list field."""
    out: list[str] = []
    for field in fields:
        value = row.get(field)
        out += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--only", metavar="FILE_NAME",
                        help="check (and drop from) only the training file of this name: a new "
                             "file, kept apart from the sealed sets before they measure it")
    args = parser.parse_args()
    from kapbot.safety import dataset
    from tests.test_sealed import FOLLOW_UP, SHARED_DECISION, _sealed  # the test's file lists

    overlaps = Overlaps(_sealed(), Path(args.data_dir))
    # the shared decision's questions are visitor questions, as bank lines are: they are kept
    # apart from every sealed message but the safety sets' ordinary questions
    questions = Overlaps(_sealed(ordinary=False), Path(args.data_dir))
    removed: dict[str, int] = {}
    for path, fields, check in (
            *((p, ("text",), overlaps) for p in dataset.shipped_files()),
            *((p, ("question",), questions) for p in SHARED_DECISION),
            # the follow-up model's conversations: a line goes if any of its messages overlaps
            *((p, ("message", "history"), questions) for p in FOLLOW_UP)):
        if args.only and path.name != args.only:
            continue
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        texts = [_texts(json.loads(ln), fields) for ln in lines]
        flat = check([t for row in texts for t in row])
        bad, at = [], 0
        for row in texts:
            bad.append(any(flat[at:at + len(row)]))
            at += len(row)
        keep = [ln for ln, b in zip(lines, bad, strict=True) if not b]
        removed[path.name] = len(lines) - len(keep)
        if args.drop and removed[path.name]:
            path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    print(json.dumps(removed, indent=1), "total", sum(removed.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
