"""A first look at a question set: run a kapbot checkout on it and score its JSON replies.

    python evals/question_first_look.py SET.jsonl [CHECKOUT] [--config kapbot.toml]
        [--no-bank] [--write REPORT.md]

Each line of the set is ``{"id", "question", "expect": "answer" | "not_covered", "sentence":
the exact sentence that answers (answer only), "section": the heading of the section holding
it, "history": [earlier messages, oldest first] (optional: a follow-up)}``.

The checkout (default: this one) answers through its own command line, ``kapbot ask --json -``,
in a subprocess with its own PYTHONPATH and a new temporary data folder (``KAPBOT_CACHE_DIR``
is passed on, so a trained safety screen can be reused). A checkout whose ``ask`` reads JSON
lines gets each question with its history; an older one (plain text only) gets the question
alone, so a follow-up is asked without what it follows. Scoring reads the JSON replies only:

* exact sentence: an answer whose text quotes the sentence (case, spacing and quote marks aside);
* right section: an answer whose first source is the section;
* answered or offered: the section is the first source, or among the "did you mean" offers;
* answerable refused: an answerable question given "not covered", scope or medical (no_answer
  or medical);
* not covered refused: a not-covered question not answered from the writing;
* follow-ups answered: a follow-up (with history) answered from the right section;
* "... or its sentence quoted" (the same two figures, judged by the sentence too): the writer
  names the section by the heading the exported page shows it under, and kapbot's corpus may
  hold the sentence under another heading (the page's footer, "Comentarios" in the export, is
  kapbot's "About the practice"). An answer that quotes the answering sentence is counted
  right there whatever the heading.

Standard library only: it scores any checkout, old or new.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
REFUSED_KINDS = ("no_answer", "medical")


def norm(text: str) -> str:
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("&lt;", "<"), ("&gt;", ">"),
                 ("*", ""), ("…", " ")):
        text = text.replace(a, b)
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expect: str  # "answer" or "not_covered"
    sentence: str = ""
    section: str = ""
    history: tuple[str, ...] = field(default=())


def read_set(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            case = Case(str(d["id"]), str(d["question"]), str(d["expect"]),
                        str(d.get("sentence", "")), str(d.get("section", "")),
                        tuple(str(h) for h in d.get("history", ())))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{number}: not a valid case ({exc})") from exc
        if case.expect not in ("answer", "not_covered"):
            raise SystemExit(f"{path}:{number}: expect must be answer or not_covered")
        cases.append(case)
    return cases


def reads_history(checkout: Path) -> bool:
    """Whether the checkout's ``kapbot ask -`` takes JSON lines with a history."""
    cli = checkout / "kapbot" / "cli.py"
    return cli.is_file() and '"history"' in cli.read_text(encoding="utf-8")


def input_lines(cases: Sequence[Case], with_history: bool) -> list[str]:
    if with_history:
        return [json.dumps({"question": c.question, "history": list(c.history)},
                           ensure_ascii=False) for c in cases]
    return [" ".join(c.question.split()) for c in cases]


def ask(checkout: Path, lines: Sequence[str], config: Path | None, no_bank: bool
        ) -> list[dict[str, Any]]:
    """The checkout's JSON reply to each line, in order."""
    command = [sys.executable, "-c", "import sys; from kapbot.cli import main; sys.exit(main())"]
    if config is not None:
        command += ["--config", str(config.resolve())]
    command += ["ask", "--json", *(["--no-bank"] if no_bank else []), "-"]
    with tempfile.TemporaryDirectory(prefix="kapbot-first-look-") as data:
        env = {**os.environ, "PYTHONPATH": str(checkout), "KAPBOT_DATA_DIR": data,
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "ANONYMIZED_TELEMETRY": "False"}
        done = subprocess.run(command, cwd=checkout, env=env, input="\n".join(lines) + "\n",
                              capture_output=True, text=True, check=False)
    replies = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or len(replies) != len(lines):
        raise SystemExit(f"{checkout}: kapbot ask failed ({done.returncode}, {len(replies)} of "
                         f"{len(lines)} replies):\n{done.stderr[-3000:]}")
    return replies


def score(cases: Sequence[Case], replies: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Each figure as (count, out of)."""
    answerable = [(c, r) for c, r in zip(cases, replies, strict=True) if c.expect == "answer"]
    uncovered = [(c, r) for c, r in zip(cases, replies, strict=True) if c.expect != "answer"]

    def first_section(reply: dict[str, Any]) -> str:
        sources = reply.get("sources") or []
        return norm(str(sources[0].get("section", ""))) if reply.get("kind") == "answer" and \
            sources else ""

    def right(c: Case, r: dict[str, Any]) -> bool:
        return bool(c.section) and first_section(r) == norm(c.section)

    def exact(c: Case, r: dict[str, Any]) -> bool:
        return (r.get("kind") == "answer" and bool(c.sentence)
                and norm(c.sentence) in norm(str(r.get("text", ""))))

    def offered(c: Case, r: dict[str, Any]) -> bool:
        offers = {norm(str(s.get("section", ""))) for s in r.get("suggestions") or ()}
        return right(c, r) or norm(c.section) in offers

    def right_or_quoted(c: Case, r: dict[str, Any]) -> bool:
        return right(c, r) or exact(c, r)

    follow = [(c, r) for c, r in answerable if c.history]
    return {
        "exact sentence quoted": (sum(exact(c, r) for c, r in answerable), len(answerable)),
        "right section": (sum(right(c, r) for c, r in answerable), len(answerable)),
        "answered or offered": (sum(offered(c, r) for c, r in answerable), len(answerable)),
        "answerable refused": (sum(r.get("kind") in REFUSED_KINDS for _, r in answerable),
                               len(answerable)),
        "not covered refused": (sum(r.get("kind") != "answer" for _, r in uncovered),
                                len(uncovered)),
        "follow-ups answered": (sum(right(c, r) for c, r in follow), len(follow)),
        "right section, or its sentence quoted": (
            sum(right_or_quoted(c, r) for c, r in answerable), len(answerable)),
        "follow-ups answered, or the sentence quoted": (
            sum(right_or_quoted(c, r) for c, r in follow), len(follow)),
    }


def table(figures: dict[str, tuple[int, int]], title: str) -> str:
    rows = [f"### {title}", "", "| | count | share |", "|---|---|---|"]
    for name, (n, of) in figures.items():
        share = f"{n / of:.2f}" if of else "n/a"
        rows.append(f"| {name} | {n} / {of} | {share} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", type=Path, help="the question set (JSONL)")
    parser.add_argument("checkout", nargs="?", type=Path, default=HERE,
                        help="the kapbot checkout to run (default: this one)")
    parser.add_argument("--config", type=Path, help="the kapbot.toml the checkout reads")
    parser.add_argument("--no-bank", action="store_true", help="answer without question banks")
    parser.add_argument("--write", type=Path, metavar="MD", help="also write the table here")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    cases = read_set(args.set)
    with_history = reads_history(checkout)
    replies = ask(checkout, input_lines(cases, with_history), args.config, args.no_bank)
    title = (f"{args.set.name} on {checkout.name}" + (" --no-bank" if args.no_bank else "")
             + ("" if with_history else " (plain text: follow-ups asked alone)"))
    return report(table(score(cases, replies), title), args.write)


def report(text: str, path: Path | None) -> int:
    """Print a figures table and, with ``--write``, save it (every first-look and dev script)."""
    print(text)
    if path:
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
