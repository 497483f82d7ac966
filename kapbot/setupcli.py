"""The set-up commands of ``kapbot``: ``init``, ``check``, ``sections`` and the safety corrections
of ``teach`` (``--crisis`` / ``--not-crisis`` / ``--medical`` / ``--not-medical``). Thin, like
``kapbot.cli``: each builds what it needs and prints plain sentences."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kapbot.errors import KapbotError
from kapbot.settings import Settings


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                 teach: argparse.ArgumentParser, ev: argparse.ArgumentParser) -> None:
    """The set-up commands, and the set-up options of ``teach`` and ``eval``."""
    teach.add_argument("--crisis", metavar="MESSAGE", help="a crisis message the screen missed")
    teach.add_argument("--not-crisis", metavar="MESSAGE",
                       help="a message wrongly given the crisis reply")
    teach.add_argument("--medical", metavar="MESSAGE",
                       help="a medical request the screen missed")
    teach.add_argument("--not-medical", metavar="MESSAGE",
                       help="an ordinary question wrongly given the medical reply")
    teach.add_argument("--sealed", type=Path, help="the sealed safety sets' folder (default: "
                       "the project's evals/sealed)")
    ev.add_argument("--bars", action="store_true", help="fail (exit 1) when a figure misses the "
                    "project's bars; always on for the project's own sets")
    init = sub.add_parser("init", help="make a new practice's folder: kapbot.toml, corpus/")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."),
                      help="where (default: here); it must not hold a kapbot.toml")
    init.add_argument("--practice", dest="practice_name", help="the practice's name")
    init.add_argument("--therapist", dest="therapist_name", help="the therapist's name")
    init.add_argument("--booking-url", dest="booking_url", help="the booking page's address")
    init.add_argument("--booking-label", dest="booking_label",
                      help='the booking link\'s text (default "Book a free discovery call")')
    init.add_argument("--origin", dest="allowed_origins",
                      help="your website's address, where the chat will appear")
    init.add_argument("--fees-unpublished", action="store_true",
                      help="your pages don't publish fees: fee questions get 'not covered'")
    init.add_argument("--insurance-unpublished", action="store_true",
                      help="your pages don't say which insurance you take: likewise")
    check = sub.add_parser("check", help="check the corpus: sections, question banks, mistakes")
    check.add_argument("--eval", nargs="*", type=Path, default=[], metavar="FILE",
                       help="eval files whose questions must not be bank lines")
    sub.add_parser("sections", help="list the sections: ids, headings, question bank sizes")


def cmd_init(args: argparse.Namespace) -> int:
    from kapbot.corpus.newpractice import Practice, ask, init

    given = {k: getattr(args, k) for k in ("practice_name", "therapist_name", "booking_url",
                                           "booking_label", "allowed_origins")}
    interactive = all(v is None for v in given.values()) and sys.stdin.isatty()
    values = ask(given, input if interactive else (lambda _prompt: ""))
    fees, insurance = args.fees_unpublished, args.insurance_unpublished
    if interactive:
        fees = fees or input("Do your pages leave out your fees? [y/N]: ").lower().startswith("y")
        insurance = insurance or input("Do your pages leave out insurance? [y/N]: "
                                       ).lower().startswith("y")
    written = init(args.folder, Practice(**values, fees_unpublished=fees,
                                         insurance_unpublished=insurance))
    for path in written:
        print(f"wrote {path}")
    print("Next: write your pages into corpus/ (copy corpus/_example-page.md and "
          "corpus/_example-faq.md to names without the _), then `kapbot check`.")
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.corpus.check import check_corpus

    report = check_corpus(settings.corpus_dir, args.eval)
    print(report.render())
    return 1 if report.errors else 0


def cmd_sections(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.corpus.check import check_corpus

    report = check_corpus(settings.corpus_dir)
    width = max((len(s.id) for s in report.sections), default=2)
    print(f"{'bank':>4}  {'id':<{width}}  heading")
    for s in report.sections:
        print(f"{len(s.questions):>4}  {s.id:<{width}}  {s.heading}")
    for finding in report.errors:
        print(finding, file=sys.stderr)
    return 1 if report.errors else 0


def cmd_teach_safety(settings: Settings, args: argparse.Namespace) -> int:
    from kapbot.bot import Bot
    from kapbot.safetyteach import SEALED_DIR, Correction, teach_safety

    given = {c: m for c in Correction if (m := getattr(args, c.value.replace("-", "_")))}
    if len(given) != 1:
        raise KapbotError("Give one of --crisis, --not-crisis, --medical and --not-medical")
    (correction, message), = given.items()
    bot = Bot(settings)
    print("Retraining the safety classifier and measuring it on the sealed safety sets "
          "(about half a minute)...", flush=True)
    taught = teach_safety(bot.screener, message, correction, args.sealed or SEALED_DIR)
    print(taught.render(message))
    return 0 if taught.written else 1


def check_before_index(settings: Settings) -> bool:
    """``kapbot index`` runs the check first: True when there is no error."""
    from kapbot.corpus.check import check_corpus

    report = check_corpus(settings.corpus_dir)
    for finding in report.findings:
        print(finding, file=sys.stderr)
    if report.errors:
        print("Not indexed: fix the errors above (`kapbot check` shows every file), then run "
              "`kapbot index` again.", file=sys.stderr)
    return not report.errors


def eval_overlap(settings: Settings, evals: list[Path]) -> list[str]:
    """For ``kapbot eval``: the warnings for eval questions that are also bank lines."""
    from kapbot.corpus.check import check_corpus

    return [str(f) for f in check_corpus(settings.corpus_dir, evals).findings
            if "also an eval question" in f.message]


def report_scorer(settings: Settings) -> Callable[[str, str], float | None]:
    """For ``kapbot report``: the ranker's score for a section's text (its bank left out)
    against a topic line; the bot is built at the first call, not for an empty report."""
    from kapbot.bot import Bot

    bots: list[Bot] = []

    def score(topic: str, section_id: str) -> float | None:
        if not bots:
            bots.append(Bot(settings.replace(record_gaps=False)))
            bots[0].prepare()
        answer = bots[0].ask(topic, use_bank=False)
        if answer.kind == "crisis":
            return None
        return next((p.score for p in answer.candidates if p.section.id == section_id), 0.0)

    return score


COMMANDS = {"check": cmd_check, "sections": cmd_sections}
