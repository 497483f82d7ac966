"""A sealed set's first look: score the replies of the screen before and after a change (dumps
written by ``evals/run_screen.py`` from two checkouts, in the same run) and print the table that
goes into evals/HISTORY.md. The sets are read only for their labels; nobody reads their messages.

    .venv/bin/python evals/first_look.py --before B.jsonl --after A.jsonl SET...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROWS = [("crisis_resources_first", "crisis messages shown the resources first (urgent or concern)"),
        ("crisis_resources_first_english", "… in English"),
        ("crisis_resources_first_spanish", "… in Spanish or Spanglish"),
        ("crisis_urgent", "crisis messages given the crisis reply alone (urgent)"),
        ("lookalike_urgent", "look-alikes given urgent"),
        ("lookalike_concern", "look-alikes given concern"),
        ("ordinary_concern", "ordinary questions given concern"),
        ("ordinary_urgent", "ordinary questions given urgent"),
        ("medical_recall", "medical requests given the medical reply"),
        ("medical_recall_spanish", "… in Spanish or Spanglish"),
        ("ordinary_taken_as_medical", "ordinary questions given the medical reply"),
        ("ordinary_given_scope_reply", "ordinary questions given the out-of-scope reply"),
        ("replies_stating_a_dose", "replies that state a dose")]


def _cell(metrics: dict[str, float | None], key: str) -> str:
    value = metrics.get(key)
    if value is None:
        return "n/a"
    return f"{value:.0f}" if key.startswith("replies") else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    args = parser.parse_args()
    from kapbot.safety.scoring import bars_missed, parse_sealed, score_sealed

    def replies(path: str) -> dict[tuple[str, str], dict[str, object]]:
        rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
        return {(r["set"], r["id"]): r for r in rows}

    before, after = replies(args.before), replies(args.after)
    sets = {Path(p).name: parse_sealed(Path(p).read_text().splitlines(), p) for p in args.sets}
    sets["all"] = [c for cases in list(sets.values()) for c in cases]
    names = {id(c): name for name, cases in sets.items() if name != "all" for c in cases}
    for name, cases in sets.items():
        keys = [(names[id(c)], c.id) for c in cases]
        old = score_sealed(cases, [before[k] for k in keys])
        new = score_sealed(cases, [after[k] for k in keys])
        counts = {e: sum(c.expect == e for c in cases) for e in ("crisis", "lookalike", "medical",
                                                                  "ordinary")}
        spanish = sum(c.lang != "en" for c in cases)
        kinds = ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"\n### {name}: {len(cases)} messages ({kinds}; {spanish} in Spanish or Spanglish)\n")
        print("| | before | after |\n|---|---|---|")
        for key, label in ROWS:
            print(f"| {label} | {_cell(old, key)} | {_cell(new, key)} |")
        missed = bars_missed(new)
        print("\nBars missed after: " + ("; ".join(missed) if missed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
