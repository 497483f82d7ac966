"""Train the question adapter (``kapbot.ranking.adapter``) on other practices' question banks,
and report how it does on practices it never saw.

    PYTHONPATH=$PWD .venv/bin/python evals/train_question_adapter.py --data-dir DIR [--write]

A visitor asks a question; a page states facts. MiniLM puts a question nearer to other questions
than to the sentence that answers it, so on a practice's own pages, without a question bank, the
right section is often not first. The adapter is one linear map, applied to the question's
vector before it is compared with the pages' sentences and passages, learnt from how questions
relate to the statements that answer them in other practices' writing.

Data: every bank line of the practices in ``SOURCES`` (each line a question its writer filed
under one section), and those practices' own passages and sentences (the units the index holds,
``kapbot.corpus.chunking``). Loss: for each bank line, the softmax over its practice's sections
of each section's best similarity (adapted question against the section's units, times
``TEMPERATURE``), cross-entropy against the line's section; plus ``PENALTY`` × the squared
distance of the map from the identity, so that it stays near what MiniLM already knows. Adam,
``STEPS`` full-batch steps, seeded: the same data gives the same map.

The development practices (``evals/dev-practices/``) are never in ``SOURCES``: the report trains
without each one in turn (they are not in it anyway) and without each of ``HELD_OUT``, and gives
the right section first, raw and adapted, for that practice's questions (dev practices) and its
bank lines. Sealed sets are never read. A practice is added to ``SOURCES`` only after its first
look (p18-p21 were added after theirs; p22 on are not in it).

``--write`` saves the map to ``kapbot/ranking/data/question-adapter.npz``, the bank lines it
learnt from to ``question-adapter-lines.txt`` beside it (``tests/test_sealed.py`` keeps them apart
from every sealed set, as it does the corpus's banks: retrain after adding a sealed set that one
of them overlaps) and the report to ``evals/question-adapter.md``; without it, the report is
printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from kapbot.corpus.chunking import chunk_sections  # noqa: E402
from kapbot.corpus.markdown import NOT_COVERED  # noqa: E402
from kapbot.corpus.reader import load_corpus  # noqa: E402
from kapbot.ranking.adapter import ADAPTER_FILE  # noqa: E402

PRACTICES = HERE / "evals/practices"
SOURCES = (
    *(f"evals/practices/p{n}/banks" for n in range(4, 22)),
    "corpus",
    "tests/second_practice/corpus",
)
DEV = tuple(f"evals/dev-practices/d{n}" for n in range(1, 5))
HELD_OUT = ("evals/practices/p10/banks", "evals/practices/p13/banks",
            "evals/practices/p16/banks", "tests/second_practice/corpus")
REPORT = HERE / "evals/question-adapter.md"
LINES_FILE = ADAPTER_FILE.with_name("question-adapter-lines.txt")  # what it learnt from
TEMPERATURE = 20.0
PENALTY = 0.01
STEPS = 200
LEARNING_RATE = 0.002
SEED = 0


@dataclass
class Practice:
    name: str
    units: Any  # (units, dims) unit-length vectors of its passages and sentences
    unit_section: Any  # (units,) section index of each unit
    sections: int
    bank: Any  # (lines, dims) vectors of its bank lines
    bank_section: Any  # (lines,)
    questions: Any  # (questions, dims) a dev practice's answerable questions, else empty
    question_sections: list[list[int]]  # the right sections of each
    removed: int = 0  # bank lines left out: too close to a sealed message
    lines: tuple[str, ...] = ()  # the bank lines kept


def practice(folder: str, embed: Any, overlaps: Any = None) -> Practice:
    """A practice's units and bank (a dev practice's from its ``banks/``, with its questions);
    without the bank lines that ``overlaps`` finds too close to a sealed message."""
    import numpy as np

    path = HERE / folder
    dev_file = path / "questions.jsonl"
    pages = path / "banks" if dev_file.exists() else path
    sections = [s for s in load_corpus(pages, log_problems=False).sections
                if s.text.strip() and s.doc_kind != NOT_COVERED]
    index = {s.id: i for i, s in enumerate(sections)}
    units = [u for u in chunk_sections(sections) if u.type in ("passage", "sentence")]
    bank = [(q, index[s.id]) for s in sections for q in s.questions]
    written = len(bank)
    if overlaps is not None:
        bank = [line for line, bad in zip(bank, overlaps([q for q, _ in bank]), strict=True)
                if not bad]
    questions: list[tuple[str, list[int]]] = []
    if dev_file.exists():
        for raw in dev_file.read_text(encoding="utf-8").splitlines():
            row = json.loads(raw) if raw.strip() else {}
            if row.get("expect") == "answer":
                right = [index[s.id] for s in sections if s.heading in row["sections"]]
                questions.append((row["question"], right))
    return Practice(
        folder, embed([u.text for u in units]),
        np.asarray([index[u.section_id] for u in units]), len(sections),
        embed([q for q, _ in bank]), np.asarray([i for _, i in bank]),
        embed([q for q, _ in questions]), [r for _, r in questions], written - len(bank),
        tuple(q for q, _ in bank))


def train(practices: list[Practice]) -> Any:
    import numpy as np
    import torch

    torch.manual_seed(SEED)
    dims = practices[0].units.shape[1]
    matrix = torch.eye(dims, requires_grad=True)
    optimiser = torch.optim.Adam([matrix], lr=LEARNING_RATE)
    batches = []
    for p in practices:
        member = np.stack([p.unit_section == i for i in range(p.sections)])
        batches.append((torch.tensor(p.bank), torch.tensor(p.bank_section),
                        torch.tensor(p.units), torch.tensor(member)))
    for _ in range(STEPS):
        optimiser.zero_grad()
        loss = torch.zeros(())
        for bank, right, units, member in batches:
            adapted = bank @ matrix
            adapted = adapted / adapted.norm(dim=1, keepdim=True)
            sims = (adapted @ units.T).unsqueeze(1).masked_fill(~member.unsqueeze(0), -9.0)
            best = sims.max(dim=2).values
            loss = loss + torch.nn.functional.cross_entropy(TEMPERATURE * best, right)
        loss = loss / len(batches) + PENALTY * ((matrix - torch.eye(dims)) ** 2).sum()
        loss.backward()
        optimiser.step()
    return matrix.detach().numpy().astype(np.float32)


def right_first(p: Practice, vectors: Any, right: list[list[int]], matrix: Any | None) -> int:
    import numpy as np

    if len(vectors) == 0:
        return 0
    if matrix is not None:
        vectors = vectors @ matrix
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = vectors @ p.units.T
    best = np.full((len(vectors), p.sections), -9.0)
    for i in range(p.sections):
        mine = p.unit_section == i
        if mine.any():
            best[:, i] = sims[:, mine].max(axis=1)
    return sum(int(np.argmax(best[k])) in r for k, r in enumerate(right))


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    from kapbot.index.embeddings import OnnxEmbedder
    from kapbot.npzfile import save

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default="data", help="where the MiniLM export is")
    parser.add_argument("--write", action="store_true", help="save the map and the report")
    args = parser.parse_args(argv)
    model = OnnxEmbedder("", Path(args.data_dir) / "onnx")

    def embed(texts: list[str]) -> Any:
        out = np.asarray(model.embed(texts), dtype=np.float32) if texts else np.zeros((0, 384))
        return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
                ).astype(np.float32)

    started = time.monotonic()
    sys.path.insert(0, str(HERE / "evals"))
    from sealed_overlaps import Overlaps

    from tests.test_sealed import _sealed

    overlaps = Overlaps(_sealed(ordinary=False), Path(args.data_dir))
    sources = {name: practice(name, embed, overlaps) for name in SOURCES}

    dev = {name: practice(name, embed) for name in DEV}
    rows = []
    for held in (*DEV, *HELD_OUT):
        p = dev.get(held) or sources[held]
        matrix = train([s for n, s in sources.items() if n != held])
        rows.append((held, len(p.questions),
                     right_first(p, p.questions, p.question_sections, None),
                     right_first(p, p.questions, p.question_sections, matrix),
                     len(p.bank), right_first(p, p.bank, [[i] for i in p.bank_section], None),
                     right_first(p, p.bank, [[i] for i in p.bank_section], matrix)))
    matrix = train(list(sources.values()))
    digest = hashlib.sha256(matrix.tobytes()).hexdigest()[:16]
    lines = sum(len(p.bank) for p in sources.values())
    removed = sum(p.removed for p in sources.values())
    report = [
        "# The question adapter: the right section first, on practices it never saw",
        "",
        f"`evals/train_question_adapter.py`: trained on {lines:,} bank lines of "
        f"{len(SOURCES)} practices ({', '.join(f'`{s}`' for s in SOURCES)}), without "
        f"{removed} more that share a 5-word sequence with a sealed message or come within "
        "cosine 0.9 of one (the bank rule of `tests/test_sealed.py`); each row below",
        "trains without the practice it scores. \"Raw\" is MiniLM's best passage or sentence",
        "similarity alone, \"adapted\" the same after the map; not kapbot's whole ranking (which",
        "`evals/pages_alone_dev.py` and `evals/answers_dev.py` measure). Development figures:",
        "the dev practices' questions were read while the adapter was made.",
        "",
        "| practice (held out) | questions: raw → adapted | its bank lines: raw → adapted |",
        "|---|---|---|",
    ]
    for name, nq, q0, q1, nb, b0, b1 in rows:
        asked = f"{q0} → {q1} of {nq}" if nq else "—"
        report.append(f"| `{name}` | {asked} | {b0} → {b1} of {nb} |")
    nq = sum(r[1] for r in rows)
    report += [f"| total | {sum(r[2] for r in rows)} → {sum(r[3] for r in rows)} of {nq} | "
               f"{sum(r[5] for r in rows)} → {sum(r[6] for r in rows)} of "
               f"{sum(r[4] for r in rows)} |", "",
               f"Map `{digest}` ({matrix.shape[0]}×{matrix.shape[1]}); "
               f"{time.monotonic() - started:.0f} s on this machine."]
    text = "\n".join(report) + "\n"
    if args.write:
        ADAPTER_FILE.parent.mkdir(parents=True, exist_ok=True)
        save(ADAPTER_FILE, digest, matrix=matrix, sources=np.asarray(SOURCES))
        kept = sorted({line for p in sources.values() for line in p.lines})
        LINES_FILE.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        REPORT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
