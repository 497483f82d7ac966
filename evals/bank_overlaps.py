"""Question-bank and not-covered lines that overlap a sealed set (the test in
tests/test_sealed.py), and, with ``--drop``, remove them from the corpus files: a shared 5-word
sequence (common words dropped) or cosine ≥ 0.9 with MiniLM, against every sealed message but the
safety sets' ordinary questions. Nothing of a sealed message is printed: only how many bank
lines each file loses.

    .venv/bin/python evals/bank_overlaps.py [--drop] --data-dir DIR CORPUS_DIR...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args()
    from sealed_overlaps import Overlaps

    from kapbot.corpus.reader import load_corpus
    from tests.test_sealed import _sealed

    overlaps = Overlaps(_sealed(ordinary=False), Path(args.data_dir))
    for folder in map(Path, args.corpora):
        lines = sorted({q for s in load_corpus(folder, log_problems=False).sections
                        for q in s.questions})
        bad = {line for line, b in zip(lines, overlaps(lines), strict=True) if b}
        for path in sorted(folder.glob("*.md")):
            text = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [ln for ln in text if not (ln.startswith("- ") and ln[2:].strip() in bad)]
            if len(kept) != len(text):
                print(f"{path}: {len(text) - len(kept)} bank lines overlap a sealed set")
                if args.drop:
                    path.write_text("".join(kept), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
