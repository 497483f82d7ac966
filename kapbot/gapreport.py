"""``kapbot report``: the biggest groups of questions the writing missed, for the therapist.

Each group is named by the closest question her writing already has (``kapbot.gaps``); a group
near a not-covered example is a topic to write about, a group near a section's own question is a
section that may answer it but was missed: teach it with ``kapbot teach``.
"""

from __future__ import annotations

import time

from kapbot.corpus import load_corpus
from kapbot.errors import KapbotError
from kapbot.gaps import GapLog
from kapbot.history import History
from kapbot.markdown import NOT_COVERED
from kapbot.settings import Settings


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def render_report(settings: Settings, top: int = 10) -> str:
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
        else:
            lines.append(f"    → near \"{section.title} › {section.heading}\": if that section "
                         "answers it, teach it:")
            lines.append(f"      kapbot teach \"<the question>\" --section \"{section.id}\"")
    if settings.store_conversations:
        history = History(settings.data_dir / "conversations.sqlite3", settings.retention_days)
        recent = history.recent("no_answer", 15)
        if recent:
            lines += ["", "Recent unanswered questions, in visitors' words (stored because "
                      "store_conversations is on):"]
            lines += [f"  {_when(at)}  {question}" for at, question in recent]
    return "\n".join(lines)
