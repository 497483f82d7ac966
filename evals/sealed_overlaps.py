"""Training lines that overlap a sealed set (the test in tests/test_sealed.py), and, with
``--drop``, remove them from the training files: a shared 5-word sequence (common words dropped)
or cosine ≥ 0.9 with MiniLM. Only the training files change; nothing of a sealed message is
printed, and the count removed per file goes in data/train/README.md.

    .venv/bin/python evals/sealed_overlaps.py [--drop] --data-dir DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args()
    import numpy as np

    from kapbot.embeddings import OnnxEmbedder
    from kapbot.safety import dataset
    from tests.test_sealed import _grams, _sealed

    sealed = _sealed()
    grams = set().union(*(_grams(m) for m in sealed))
    embedder = OnnxEmbedder("", Path(args.data_dir) / "onnx")
    sealed_vectors = np.asarray(embedder.embed(sealed), dtype=np.float32)
    removed: dict[str, int] = {}
    for path in dataset.shipped_files():
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        texts = [json.loads(ln)["text"] for ln in lines]
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        near = (vectors @ sealed_vectors.T).max(axis=1) >= 0.9
        keep = [ln for ln, text, close in zip(lines, texts, near, strict=True)
                if not close and not (_grams(text) & grams)]
        removed[path.name] = len(lines) - len(keep)
        if args.drop and removed[path.name]:
            path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    print(json.dumps(removed, indent=1), "total", sum(removed.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
