"""``kapbot report``: the biggest groups of questions the writing missed, for the therapist.

Each group is named by the closest question her writing already has (``kapbot.storage.gaps``); a
group near a not-covered example is a topic to write about, a group near a section's own question is
a section that may answer it but was missed. Visitors' own words are not kept, so the report never
asks the therapist to teach a question it doesn't have: it offers the group's topic line, and only
for a section whose text the ranker scores as answering it (the score is shown).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.corpus.reader import load_corpus
from kapbot.errors import KapbotError
from kapbot.models import Section
from kapbot.settings import Settings
from kapbot.storage.gaps import GapLog
from kapbot.storage.history import History


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


Scorer = Callable[[str, str], "float | None"]  # (topic, section id) → the ranker's score


def render_report(settings: Settings, top: int = 10, scorer: Scorer | None = None) -> str:
    """``scorer``: the ranker's score for a section's text (no bank) against a topic line."""
    gaps = GapLog(settings.data_dir / "gaps.sqlite3").top(top)
    try:
        sections = {s.id: s for s in load_corpus(settings.corpus_dir).sections}
    except KapbotError:
        sections = {}
    lines = [
        "What visitors asked that the writing does not answer yet: \"not covered\" replies and "
        "thumbs-down, grouped by the closest question your writing already has (visitors' own "
        "words are not kept).",
        "",
    ]
    if not gaps:
        lines.append("Nothing recorded yet" + ("" if settings.record_gaps else
                     " (record_gaps is off)") + ".")
    for n, gap in enumerate(gaps, start=1):
        lines.append(f"{n:>2}. {gap.total} times (not covered: {gap.no_answer}, thumbs-down: "
                     f"{gap.thumbs_down}), last {_when(gap.last_seen)}")
        lines.append(f"    like: \"{gap.topic}\"")
        section = sections.get(gap.section)
        if section is None or section.doc_kind == NOT_COVERED:
            lines.append("    → your writing does not cover this yet: an FAQ entry about it "
                         "would answer these visitors.")
            continue
        lines += _near_section(settings, gap.topic, section, scorer)
    if settings.store_conversations:
        history = History(settings.data_dir / "conversations.sqlite3", settings.retention_days)
        recent = history.recent("no_answer", 15)
        if recent:
            lines += ["", "Recent unanswered questions, in visitors' words (stored because "
                      "store_conversations is on):"]
            lines += [f"  {_when(at)}  {question}" for at, question in recent]
    return "\n".join(lines)


def _near_section(settings: Settings, topic: str, section: Section,
                  scorer: Scorer | None) -> list[str]:
    where = f"\"{section.title} › {section.heading}\""
    score = scorer(topic, section.id) if scorer else None
    shown = f" (the ranker scores its text {score:.2f} for this line; answer_threshold " \
            f"{settings.answer_threshold:.2f})" if score is not None else ""
    if score is not None and score < settings.answer_threshold:
        return [f"    → near {where}{shown}: its text may not answer this. Write the answer "
                "there, or an FAQ entry about it; teaching it would quote the wrong text."]
    if any(q.casefold() == topic.casefold() for q in section.questions):
        return [f"    → near {where}{shown}: its question bank has this line already; visitors "
                "asked it in other words. Add two or three more ways of asking it:",
                f"      kapbot teach \"<another way to ask it>\" --section \"{section.id}\""]
    return [f"    → near {where}{shown}: if that section answers it, teach the topic line:",
            f"      kapbot teach \"{topic}\" --section \"{section.id}\""]
