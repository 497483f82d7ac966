"""How often the language detector names the writer's language: on the safety screen's training
messages, each labelled ``en`` or ``es`` by its writer (development data: never a sealed set), and
on evals/spanish-dev.jsonl. Prints a markdown table; the committed result is
evals/language-dev.md.

    PYTHONPATH=. python evals/language_dev.py > evals/language-dev.md
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from kapbot.langdetect import LanguageDetector
from kapbot.language import Lang

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    detector = LanguageDetector((Lang.EN, Lang.ES))
    rows = [json.loads(line) for path in sorted((ROOT / "kapbot/safety/data/train").glob(
        "*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [(r["lang"], r["text"]) for r in rows if r.get("lang") in ("en", "es", "spanglish")]
    pairs += [("es", json.loads(line)["question"]) for line in
              (ROOT / "evals/spanish-dev.jsonl").read_text(encoding="utf-8").splitlines()]
    counts: Counter[tuple[str, str]] = Counter()
    misses: list[tuple[str, str]] = []
    for lang, text in pairs:
        got = detector.detect(text).value
        counts[(lang, got)] += 1
        if got != lang and lang != "spanglish":
            misses.append((lang, text))
    print("# Language detection on development messages\n")
    print("Writer's language vs detected (no conversation history: a message alone). Training "
          "messages of the safety screen, labelled by their writers, and the 26 Spanish messages "
          "of evals/spanish-dev.jsonl. Spanglish may be answered in either language.\n")
    print("| written in | messages | detected en | detected es | correct |")
    print("| --- | --- | --- | --- | --- |")
    for lang in ("en", "es", "spanglish"):
        total = counts[(lang, "en")] + counts[(lang, "es")]
        right = f"{counts[(lang, lang)] / max(total, 1):.3f}" if lang != "spanglish" else "either"
        print(f"| {lang} | {total} | {counts[(lang, 'en')]} | {counts[(lang, 'es')]} | {right} |")
    print(f"\nMisses ({len(misses)}), first 30:\n")
    for lang, text in misses[:30]:
        print(f"- ({lang}) {text[:120]!r}")


if __name__ == "__main__":
    main()
