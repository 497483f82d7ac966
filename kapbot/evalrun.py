"""Running the eval: kapbot (with and without its question bank) and, for comparison, the plain
LangChain tutorial pipeline (RecursiveCharacterTextSplitter 1000/200 + Chroma + the same model,
top-1 chunk plus the disclaimer) on the same corpus and questions, in the same run.

The tutorial pipeline has no threshold and no safety screen: it always answers with its top chunk.
A chunk counts as retrieving every section that has a sentence wholly inside it (chunks often span
two sections, which is generous to the baseline).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from kapbot import wording
from kapbot.bot import Bot
from kapbot.chunking import tutorial_chunks
from kapbot.corpus import Corpus
from kapbot.evaluation import Case, Outcome, Report, norm, score
from kapbot.markdown import NOT_COVERED
from kapbot.models import Answer, Unit
from kapbot.store import Store
from kapbot.text import split_sentences


def outcome_of(answer: Answer) -> Outcome:
    footer = wording.footer(answer.disclaimer, answer.booking_url)
    return Outcome(
        kind=answer.kind,
        ranked=tuple(p.section.heading for p in answer.candidates),
        text=answer.text,
        has_footer=answer.text.endswith(footer) and bool(answer.booking_url),
        reason=answer.reason,
        scores=tuple(p.score for p in answer.candidates),
    )


def run_kapbot(bot: Bot, cases: Sequence[Case], use_bank: bool = True) -> Report:
    return score(cases, [outcome_of(bot.ask(c.question, use_bank=use_bank)) for c in cases])


def _plain_text(corpus: Corpus) -> list[tuple[str, str]]:
    """Each document as the tutorial would load it: headings and paragraphs, no question bank."""
    out = []
    for doc in corpus.documents:
        if doc.kind == NOT_COVERED:
            continue
        parts: list[str] = []
        for section in doc.sections:
            parts.append(section.heading)
            parts.append(section.text)
        out.append((doc.name, "\n\n".join(parts)))
    return out


def run_tutorial(bot: Bot, cases: Sequence[Case]) -> Report:
    corpus = bot.corpus
    if corpus is None:
        bot.prepare()
        corpus = bot.corpus
    assert corpus is not None
    units: list[Unit] = []
    for name, text in _plain_text(corpus):
        for n, chunk in enumerate(tutorial_chunks(text), start=1):
            units.append(Unit(f"{name}#chunk-{n}", "passage", name, chunk, chunk))
    sentences = [(s.heading, sentence) for s in corpus.sections
                 for sentence in split_sentences(s.text)]
    footer = wording.footer(bot.voice.disclaimer, bot.voice.booking_url)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="kapbot-tutorial-") as tmp:
        store = Store(Path(tmp), bot.embedder, "tutorial").open()
        store.rebuild(units, "tutorial")
        for case in cases:
            vector = bot.embedder.embed([case.question])[0]
            accepted = {norm(h) for h in case.sections}
            ranked: list[str] = []
            hits = store.query(vector, "passage", k=3)
            for unit, _ in hits:
                # a chunk retrieves every section it holds a sentence of; the accepted one is
                # listed first, so the baseline gets credit for any section its chunk covers
                held = list(dict.fromkeys(h for h, s in sentences if s in unit.quote)) or [""]
                held.sort(key=lambda h: norm(h) not in accepted)
                ranked.extend(h for h in held if h not in ranked)
            top = hits[0][0].quote if hits else ""
            outcomes.append(Outcome("answer", tuple(ranked), f"{top}\n\n{footer}", True,
                                    "top-1 chunk"))
    return score(cases, outcomes)
