"""Write ``kapbot/ranking/data/borrowed-questions.jsonl``: other practices' question banks, which
a section with no bank of its own borrows from (``kapbot.ranking.borrowed``).

Each line is one section of another practice's pages: the passages kapbot embeds for it
(heading path and text, as ``kapbot.corpus.chunking`` cuts them), and the bank lines its writer
listed under it. Sources: the shipped practice (``corpus/``; its Spanish-reading lines left out,
as from the English index), the second practice (``tests/second_practice/corpus``), and the
banks of the new practices measured so far (``evals/practices/p*/banks``, each written by a
separate writer from the pages alone), but never the practice of a first look still to be taken
(``--leave-out``). Lines that overlap a sealed set (a shared 5-word sequence, or cosine ≥ 0.9:
``tests/test_sealed.py``) are left out; how many, per source, is printed.

    .venv/bin/python evals/make_borrowed_bank.py --data-dir .dev-data/main [--leave-out p10]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))
OUT = ROOT / "kapbot" / "ranking" / "data" / "borrowed-questions.jsonl"


def sources(leave_out: set[str]) -> list[tuple[str, Path]]:
    practices = sorted((p for p in (ROOT / "evals" / "practices").iterdir()
                        if (p / "banks").is_dir() and p.name not in leave_out),
                       key=lambda p: int(p.name[1:]))
    second = ROOT / "tests" / "second_practice" / "corpus"
    return ([("shipped", ROOT / "corpus"), ("second", second)]
            + [(p.name, p / "banks") for p in practices])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--leave-out", action="append", default=[])
    args = parser.parse_args()
    from sealed_overlaps import Overlaps

    from kapbot.corpus.chunking import chunk_sections
    from kapbot.corpus.markdown import NOT_COVERED
    from kapbot.corpus.reader import load_corpus
    from kapbot.language.choice import reads_as_spanish
    from tests.test_sealed import _sealed

    overlaps = Overlaps(_sealed(ordinary=False), Path(args.data_dir))
    rows: list[dict[str, object]] = []
    for name, folder in sources(set(args.leave_out)):
        sections = [s for s in load_corpus(folder, log_problems=False).sections
                    if s.doc_kind != NOT_COVERED and s.questions]
        lines = sorted({q for s in sections for q in s.questions if not reads_as_spanish(q)})
        bad = {line for line, b in zip(lines, overlaps(lines), strict=True) if b}
        kept = 0
        for section in sections:
            questions = [q for q in section.questions if q in lines and q not in bad]
            passages = [u.text for u in chunk_sections([section]) if u.type == "passage"]
            if questions and passages:
                rows.append({"source": name, "section": section.id, "passages": passages,
                             "questions": questions})
                kept += len(questions)
        print(f"{name}: {kept} lines kept of {len(lines)}, {len(bad)} overlap a sealed set")
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} sections, "
          f"{sum(len(r['questions']) for r in rows)} lines")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
