"""Leave-one-writer-out calibration of the safety thresholds, on the training data only.

Each writer's messages are scored by a classifier trained on the other writers' messages: how the
screen does on a writer it has never seen. The thresholds in kapbot/settings.py come from this
table (never from an eval or sealed set). Writes evals/safety-calibration.md.

    .venv/bin/python evals/calibrate_safety.py [--data-dir data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--out", default=str(ROOT / "evals" / "safety-calibration.md"))
    args = parser.parse_args()
    from kapbot.index.embeddings import OnnxEmbedder
    from kapbot.safety import classifier
    from kapbot.safety.features import FeatureCache, Featurizer
    from kapbot.safety.multilingual import MultilingualEmbedder
    from kapbot.safety.screen import training_examples

    data = Path(args.data_dir)
    featurizer = Featurizer(OnnxEmbedder("", data / "onnx"), MultilingualEmbedder())
    examples = training_examples()
    features = FeatureCache(data / "safety", featurizer).features([e.text for e in examples])
    labels = [e.label for e in examples]
    probs = classifier.cross_validate(features, [e.text for e in examples], labels,
                                      [e.weight for e in examples], [e.source for e in examples])
    lines = ["# Safety thresholds: leave-one-writer-out on the training data", "",
             f"{len(examples)} messages from {len({e.source for e in examples})} writers. Each "
             "writer's messages scored by a model trained on the others'.", "",
             "| crisis threshold | crisis recall | other ≥ it | other, Spanish ≥ it | crisis "
             "recall, Spanish | medical ≥ it |", "|---|---|---|---|---|---|"]

    def rate(rows: list[int], threshold: float, label: str = "crisis") -> float:
        return sum(probs[i][label] >= threshold for i in rows) / max(1, len(rows))

    crisis = [i for i, e in enumerate(examples) if e.label == "crisis"]
    other = [i for i, e in enumerate(examples) if e.label == "other"]
    medical = [i for i, e in enumerate(examples) if e.label == "medical"]
    es_crisis = [i for i in crisis if examples[i].lang != "en"]
    es_other = [i for i in other if examples[i].lang != "en"]
    for t in (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        lines.append(f"| {t:.2f} | {rate(crisis, t):.3f} | {rate(other, t):.3f} | "
                     f"{rate(es_other, t):.3f} | {rate(es_crisis, t):.3f} | "
                     f"{rate(medical, t):.3f} |")
    lines += ["", "| medical threshold | medical recall | other ≥ it | scope threshold | scope "
              "recall | other ≥ it |", "|---|---|---|---|---|---|"]
    scope = [i for i, e in enumerate(examples) if e.label == "scope"]
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        lines.append(f"| {t:.2f} | {rate(medical, t, 'medical'):.3f} | "
                     f"{rate(other, t, 'medical'):.3f} | {t:.2f} | {rate(scope, t, 'scope'):.3f} "
                     f"| {rate(other, t, 'scope'):.3f} |")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
