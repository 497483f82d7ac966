"""The ``kapbot`` command. Thin: it builds a ``Bot`` and calls it; nothing heavy is imported
until a command needs it, so ``kapbot --help`` is instant."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapbot import opscli, setupcli
from kapbot.errors import KapbotError, StoreUnavailable
from kapbot.settings import Settings, load

if TYPE_CHECKING:
    from kapbot.bot import Bot

log = logging.getLogger("kapbot")

DEFAULT_EVALS = (Path("evals/questions.jsonl"), Path("evals/safety.jsonl"))

QUIET_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kapbot",
        description="Answer visitors' questions about ketamine-assisted psychotherapy from the "
        "practice's own writing.",
    )
    parser.add_argument("--config", type=Path, help="kapbot.toml to read (default: ./kapbot.toml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = sub.add_parser("index", help="build or refresh the index from the corpus folder")
    index.add_argument("--force", action="store_true", help="rebuild even if it is current")

    ask = sub.add_parser("ask", help="answer one question (or one per line from stdin with -)")
    ask.add_argument("question", help='the question, or "-" to read one per line from stdin '
                     '(plain text, or a JSON object {"question": ..., "history": [...]})')
    ask.add_argument("--json", action="store_true", help="print the JSON object (one per line)")
    ask.add_argument("--no-bank", action="store_true", help="ignore the question bank")

    ev = sub.add_parser("eval", help="score answers on an eval set and print failures and totals")
    ev.add_argument("file", nargs="?", type=Path,
                    help="a questions or safety .jsonl (default: both files in evals/)")
    ev.add_argument("--no-bank", action="store_true", help="only report figures without the bank")
    ev.add_argument("--tutorial", action="store_true",
                    help="also measure the plain LangChain tutorial pipeline in the same run")
    ev.add_argument("--write", type=Path, metavar="JSON",
                    help="write the results as JSON (e.g. evals/baseline.json)")
    ev.add_argument("--quiet", action="store_true", help="print totals only")
    ev.add_argument("--html", type=Path, metavar="HTML",
                    help="also write a report page: every case, scores chart, totals")

    purge = sub.add_parser("purge", help="delete stored conversations past the retention period")
    purge.add_argument("--all", action="store_true", help="delete every stored conversation")

    serve = sub.add_parser("serve", help="serve the chat and the JSON API")
    serve.add_argument("--host", help="address to listen on (default from settings: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from settings: 7860)")
    serve.add_argument("--review", action="store_true",
                       help="review mode: why each reply was given, and teaching (127.0.0.1 only)")

    reload = sub.add_parser("reload", help="make a running server pick up corpus changes")
    reload.add_argument("--url", help="the server (default: http://HOST:PORT from settings)")

    report = sub.add_parser("report", help="what visitors ask that the writing does not answer")
    report.add_argument("--top", type=int, default=10, help="how many groups (default 10)")

    teach = sub.add_parser("teach", help="add a missed question to a section's question bank, "
                           "or correct the safety screen (--crisis, --not-crisis)")
    teach.add_argument("question", nargs="?", help="the question as a visitor asked it")
    teach.add_argument("--section", help="the section that answers it: its heading or its id "
                       "(see kapbot sections)")
    setupcli.add_commands(sub, teach, ev)
    return parser


def _bot(settings: Settings) -> Bot:
    from kapbot.bot import Bot

    return Bot(settings)


def _progress(done: int, total: int) -> None:
    print(f"  indexed {done}/{total} units", file=sys.stderr, flush=True)


def _private_data(settings: Settings, umask: bool = True) -> None:
    """The data folder is this user's only (700); with ``umask``, so is every file and folder
    this process creates from now on (umask 077: files 600, folders 700, from creation)."""
    from kapbot.storage.sqlitedb import PRIVATE_DIR, private_dir

    if umask:
        os.umask(0o077)
    folder = private_dir(settings.data_dir)
    if folder.stat().st_mode & 0o077:  # made by an older version, or by hand
        folder.chmod(PRIVATE_DIR)
        logging.getLogger("kapbot").info("The data folder %s is now owner-only (700)", folder)


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    if not setupcli.check_before_index(settings):
        return 1
    _private_data(settings)
    bot = _bot(settings)
    report = bot.prepare(force=args.force, progress=_progress)
    from kapbot.index.embeddings import OnnxEmbedder

    if isinstance(bot.embedder, OnnxEmbedder):  # the question model too, so `ask` needs no torch
        bot.embedder.ensure_exported()
    state = f"rebuilt ({report.reason})" if report.rebuilt else "already current"
    print(
        f"Index {state}: {report.units} units from {report.sections} sections in "
        f"{report.documents} documents, fingerprint {report.fingerprint}, at {bot.store.where}"
    )
    for problem in report.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def _readable(answer_dict: dict[str, Any]) -> str:
    return f"[{answer_dict['kind']}]\n{answer_dict['text']}\n"


def stdin_line(line: str) -> tuple[object, object]:
    """One line of ``kapbot ask -``: plain text, or a JSON object ``{"question": ...,
    "history": [earlier messages, oldest first]}``."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return line, ()
        if isinstance(data, dict) and "question" in data:
            return data["question"], data.get("history", ())
    return line, ()


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    _private_data(settings, umask=False)
    bot = _bot(settings)
    try:
        bot.prepare()  # here, not in the background: the command waits for its index
    except StoreUnavailable as exc:
        log.error("%s: questions get the 'temporarily unavailable' reply", exc)
    use_bank = False if args.no_bank else None
    if args.question == "-":
        for line in sys.stdin:
            question, history = stdin_line(line.rstrip("\n"))
            answer = bot.ask(question, use_bank=use_bank, history=history).to_dict()
            print(json.dumps(answer, ensure_ascii=False) if args.json else _readable(answer),
                  flush=True)
        return 0
    answer = bot.ask(args.question, use_bank=use_bank).to_dict()
    print(json.dumps(answer, ensure_ascii=False, indent=None if args.json else 2)
          if args.json else _readable(answer))
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.workbench.evalrun import run_eval

    files = [args.file] if args.file else [p for p in DEFAULT_EVALS if p.is_file()]
    for path in files:
        if not path.is_file():
            raise KapbotError(f"No eval file at {path}")
    if not files:
        raise KapbotError("No eval files: write evals/questions.jsonl (see README, Evaluation)")
    _private_data(settings, umask=False)  # its --html and --write files keep the usual mode
    bot = _bot(settings)
    bot.prepare()
    from kapbot.workbench.plaineval import is_project_set, summary

    overlap = setupcli.eval_overlap(settings, files)
    result = run_eval(bot, files, tutorial=args.tutorial, no_bank=args.no_bank)
    print("\n".join([summary(result), *overlap, ""]))
    print(result.render(failures=not args.quiet))
    if args.html:
        from kapbot.workbench.htmlreport import render

        args.html.write_text(render(result, settings.practice_name), encoding="utf-8")
        print(f"wrote {args.html}")
    if args.write:
        args.write.write_text(json.dumps(result.payload(), indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.write}")
    bars = args.bars or all(is_project_set(p) for p in files)
    if result.missed and not bars:
        print("(The bars above are the project's own; your file is reported, not failed. "
              "Add --bars to fail on them.)")
    return 1 if result.missed and bars else 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.web.app import serve

    _private_data(settings)
    serve(settings, host=args.host or settings.host, port=args.port or settings.port,
          review=args.review)
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.workbench.gapreport import render_report

    print(render_report(settings, args.top, setupcli.report_scorer(settings)))
    return 0


def cmd_teach(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.corpus.teach import teach

    if args.crisis or args.not_crisis or args.medical or args.not_medical:
        return setupcli.cmd_teach_safety(settings, args)
    if not args.question or not args.section:
        raise KapbotError('Give the question and its section: kapbot teach "the question" '
                          '--section "Its heading" (`kapbot sections` lists them)')
    taught = teach(settings.corpus_dir, args.section, args.question)
    if not taught.diff:
        print(f"Already in the question bank of {taught.section.id}: nothing changed.")
        return 0
    print(taught.diff, end="")
    print(f"\nAdded to {taught.path}. Next: `kapbot eval` to see the effect, then "
          "`kapbot reload` (or restart) so the running server uses it.")
    return 0


COMMANDS = {
    "index": cmd_index, "ask": cmd_ask, "eval": cmd_eval, "serve": cmd_serve,
    "report": cmd_report, "teach": cmd_teach, **opscli.COMMANDS, **setupcli.COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":  # before any kapbot.toml is read: it makes one
            return setupcli.cmd_init(args)
        settings = load(args.config)
        logging.basicConfig(
            level=getattr(logging, settings.log_level.upper(), logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        if args.command in ("ask", "eval"):
            logging.getLogger("kapbot.answers").setLevel(logging.WARNING)
            settings = settings.replace(record_gaps=False)  # the therapist, not a visitor
        return COMMANDS[args.command](settings, args)
    except KapbotError as exc:
        print(f"kapbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
