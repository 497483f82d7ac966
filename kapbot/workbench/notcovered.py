"""A not-covered line, tried before it is written: ``kapbot teach --not-covered "QUESTION"``.

A line of ``not-covered.md`` teaches the decision to refuse questions like it, and it can also
refuse questions near it that the writing does answer: on the sealed practice p22, after 5 such
lines (and 4 taught questions), 2 more of its answerable questions were refused than before
(``evals/HISTORY.md``). So the line is tried first, on two copies of the corpus indexed in a
temporary folder (the ranker and the decision retrained on each; the models and the vector cache
shared): one as it is, one with the line added. The questions at risk are asked of both:
``HELD_OUT`` question-bank lines near the line, left out of both copies so that they are
asked as a visitor's new words would be (a bank line the ranker learnt is nearly always
answered, line or not: on the shipped corpus none of 1,664 turned refused with a line that
refused a held-out one), and the answerable questions of the eval files given. Every other
one of the nearest lines is held out and the rest kept, so each keeps the neighbours a
visitor's question has. A question
answered before and refused after is listed; with any, nothing is written, unless the
therapist says so (``anyway``). Bots are made by ``make_bot`` (tests pass a fake embedder).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kapbot.corpus.markdown import NOT_COVERED, QUESTIONS_OPEN
from kapbot.corpus.reader import corpus_files, load_corpus
from kapbot.corpus.teach import Taught, clean, find_section, teach
from kapbot.errors import KapbotError
from kapbot.settings import Settings

if TYPE_CHECKING:
    from kapbot.bot import Bot

HELD_OUT = 10  # bank lines near the line left out of both copies and asked: every other one of
# the 20 nearest, so that each keeps neighbours in the bank as a visitor's new words would
REFUSED = ("no_answer",)  # the kinds that count as refused (a medical reply is not this line's)
SHOWN = 10  # questions listed at most; the count says how many in all


@dataclass(frozen=True)
class NotCoveredTrial:
    """What adding ``line`` to ``not-covered.md`` did to the practice's own questions."""

    line: str
    asked: int  # the practice's questions asked before and after
    answered_before: int
    newly_refused: tuple[str, ...]  # answered before, refused with the line
    taught: Taught | None  # the line written (its diff), or None when it was not

    def render(self) -> str:
        if self.taught is not None and not self.taught.diff:
            return f"Already in {self.taught.path}: nothing changed."
        out = [f"Tried {self.line!r} as not covered: asked {self.asked} of your questions (the "
               "bank lines near it, left out, and your eval files' answerable ones) before "
               f"and after ({self.answered_before} answered before)."]
        if self.newly_refused:
            out.append(f"With it, {len(self.newly_refused)} of them would be refused:")
            out += [f"  - {q}" for q in self.newly_refused[:SHOWN]]
            if len(self.newly_refused) > SHOWN:
                out.append(f"  ... and {len(self.newly_refused) - SHOWN} more")
        else:
            out.append("None of them would be refused with it.")
        if self.taught is None:
            out.append("Not written. Add only what your pages really do not say; reword the "
                       "line, or write the answer on a page. To add it all the same: "
                       "--anyway.")
        else:
            out.append(self.taught.diff.rstrip("\n"))
            out.append(f"Added to {self.taught.path}. Next: `kapbot reload` (or restart) so the "
                       "running server uses it.")
        return "\n".join(out)


def not_covered_section(corpus_dir: Path) -> str:
    """The id of the corpus's not-covered list; the error says how to make one."""
    ids = [s.id for s in load_corpus(corpus_dir).sections if s.doc_kind == NOT_COVERED]
    if not ids:
        raise KapbotError(f"No not-covered list in {corpus_dir}: make `not-covered.md` with the "
                          "front matter `kind: not-covered` (`kapbot init` writes one).")
    return ids[0]


def nearest_bank_lines(bot: Bot, corpus_dir: Path, line: str, count: int) -> list[str]:
    """The ``count`` bank lines of the sections most like ``line`` (by the bot's question
    vectors), the nearest first."""
    lines = list(dict.fromkeys(q for s in load_corpus(corpus_dir).sections
                               if s.doc_kind != NOT_COVERED for q in s.questions))
    if not lines:
        return []
    vectors = bot.embedder.embed([line, *lines])
    similarity = [sum(a * b for a, b in zip(vectors[0], v, strict=True)) for v in vectors[1:]]
    return [lines[i] for i in sorted(range(len(lines)), key=lambda i: -similarity[i])[:count]]


def without_bank_lines(corpus_dir: Path, lines: Sequence[str]) -> None:
    """Remove ``lines`` from every question bank of the corpus in ``corpus_dir`` (a copy)."""
    gone = {f"- {q}" for q in lines}
    for path in corpus_files(corpus_dir):
        text = path.read_text(encoding="utf-8")
        kept, inside = [], False
        for row in text.splitlines(keepends=True):
            inside = inside or bool(QUESTIONS_OPEN.match(row))
            if not (inside and row.strip() in gone):
                kept.append(row)
            inside = inside and "-->" not in row
        if len(kept) != len(text.splitlines(keepends=True)):
            path.write_text("".join(kept), encoding="utf-8")


def try_not_covered(settings: Settings, line: str, make_bot: Callable[[Settings], Bot],
                    answerable: Sequence[str] = (), anyway: bool = False) -> NotCoveredTrial:
    """Try ``line`` as not covered on copies of the corpus; write it to the corpus when no
    question at risk turns refused, or ``anyway``."""
    text = clean(line)
    if not text:
        raise KapbotError("The question is empty: give the question the writing does not answer")
    section = not_covered_section(settings.corpus_dir)
    if any(text.casefold() == q.casefold() for q in find_section(settings.corpus_dir,
                                                                 section).questions):
        return NotCoveredTrial(text, 0, 0, (), teach(settings.corpus_dir, section, text))
    own = make_bot(settings.replace(record_gaps=False))
    own.prepare()  # the corpus's index (made if missing), and the question vectors' model
    held = nearest_bank_lines(own, settings.corpus_dir, text, 2 * HELD_OUT)[::2]
    questions = list(dict.fromkeys([*held, *answerable]))
    answered = []
    with tempfile.TemporaryDirectory(prefix="kapbot-not-covered-") as tmp:
        for side in ("before", "after"):
            corpus = Path(tmp) / side / "corpus"
            shutil.copytree(settings.corpus_dir, corpus)
            without_bank_lines(corpus, held)
            if side == "after":
                teach(corpus, section, text)
            answered.append(_answered(make_bot(settings.replace(  # learnt parts shared
                corpus_dir=corpus, data_dir=Path(tmp) / side / "data", record_gaps=False,
                store_conversations=False, cache_dir=str(settings.learnt("")))), questions))
    before, after = answered
    newly = tuple(q for q in questions if q in before and q not in after)
    taught = teach(settings.corpus_dir, section, text) if anyway or not newly else None
    return NotCoveredTrial(text, len(questions), len(before), newly, taught)


def _answered(bot: Bot, questions: Sequence[str]) -> set[str]:
    bot.prepare()
    return {q for q in questions if bot.ask(q).kind not in REFUSED}
