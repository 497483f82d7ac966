"""How long a therapist waits while teaching: the commands of the first hour, each a real
process on a copy of the sample practice (``corpus/`` and ``kapbot.toml``), after a first
``kapbot index`` that is not timed (it embeds the training lines once and trains what that
machine lacks, as a practice's first start does).

Timed, in order: ``teach`` a question into a section's bank, then ``index`` (the safety screen
learns the practice's questions as ordinary ones, so it is fitted again), ``teach --not-crisis``
(fitted again, and checked on the sealed safety sets), ``teach --not-medical`` (the same),
``index`` once more with nothing changed (every model loaded, none fitted). After a change,
the time is the safety classifier's fit, the models' loading and, for ``index``, the Chroma
index and the section rankers; for a correction, screening the sealed safety sets twice.

Works on any checkout (it runs the checkout's own CLI), so a change is measured before and
after on the same machine (``--before DIR``, measured first); each checkout gets a new cache
folder unless ``--cache`` names one. Writes ``--write MD`` (the committed report is
benchmarks/teach.md).

    .venv/bin/python benchmarks/bench_teach.py [--checkout DIR] [--before DIR] [--cache DIR] \
        [--write MD]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "Support During your Ketamine Journey"
QUESTION = "will someone be with me the whole time i'm in the session"
NOT_CRISIS = "what do i do with whats left of the troche after 15 min"
NOT_MEDICAL = "can i bring my own blanket and headphones to the session"


def _run(checkout: Path, folder: Path, cache: Path, *args: str) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "KAPBOT_CACHE_DIR": str(cache),
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    for name in ("KAPBOT_CONFIG", "KAPBOT_CORPUS_DIR", "KAPBOT_DATA_DIR"):
        env.pop(name, None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kapbot.cli", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=1800)
    return time.perf_counter() - started, done.returncode


def _measure(checkout: Path, cache: Path | None) -> tuple[float, list[tuple[str, float, int]]]:
    """The untimed first ``index``, then each step's seconds and exit code."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "practice"
        folder.mkdir()
        shutil.copytree(checkout / "corpus", folder / "corpus")
        shutil.copy(checkout / "kapbot.toml", folder / "kapbot.toml")
        cache = cache or Path(scratch) / "cache"
        sealed = str(checkout / "evals" / "sealed")
        first, code = _run(checkout, folder, cache, "index")
        if code:
            raise SystemExit(f"kapbot index failed in {checkout} ({code})")
        steps = [("teach a question into a bank", ("teach", QUESTION, "--section", SECTION)),
                 ("index after it (the screen fitted again)", ("index",)),
                 ("teach --not-crisis", ("teach", "--not-crisis", NOT_CRISIS, "--sealed", sealed)),
                 ("teach --not-medical", ("teach", "--not-medical", NOT_MEDICAL,
                                          "--sealed", sealed)),
                 ("index with nothing changed", ("index",))]
        rows = []
        for name, command in steps:
            seconds, code = _run(checkout, folder, cache, *command)
            rows.append((name, seconds, code))
            print(f"{checkout.name}: {name}: {seconds:.1f} s (exit {code})", flush=True)
    return first, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    parser.add_argument("--before", type=Path,
                        help="another checkout, measured first and shown beside it")
    parser.add_argument("--cache", type=Path,
                        help="cache folder (default: a new one per checkout)")
    parser.add_argument("--note", default="", help="a paragraph put under the table")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    sides = [p.resolve() for p in (args.before, args.checkout) if p is not None]
    results = [_measure(side, args.cache) for side in sides]
    names = ["before", "after"] if args.before else ["this checkout"]
    head = " | ".join(f"{name} (`{side.name}`): seconds (exit)"
                      for name, side in zip(names, sides, strict=True))
    lines = ["# What a therapist waits for while teaching (`benchmarks/bench_teach.py`)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores; "
             "shared and noisy: figures within a few seconds are the same). The first "
             "`kapbot index` on each checkout's cache, not timed below: "
             + ", ".join(f"{first:.0f} s" for first, _ in results) + ".", "",
             f"| step | {head} |", "|---|" + "---|" * len(sides)]
    for i, (name, _, _) in enumerate(results[0][1]):
        cells = " | ".join(f"{rows[i][1]:.1f} ({rows[i][2]})" for _, rows in results)
        lines.append(f"| {name} | {cells} |")
    lines += ["", "Each step is a new process: loading the models (about 2-3 s) is in every "
              "figure. `index` after a change also rebuilds the Chroma index and trains the "
              "section rankers (about 15 s here); a safety correction also screens every "
              "message of the sealed safety sets with the classifier before and after (the "
              "first one on a machine embeds them once)."]
    if args.note:
        lines += ["", args.note]
    text = "\n".join([*lines, ""])
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
