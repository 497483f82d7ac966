"""Teaching the bot by writing: a visitor's question that the writing answers, but that kapbot
missed, joins the question bank of the section that answers it, in the corpus file itself (a
``<!-- questions`` block, invisible on the website). The change is a small diff the therapist
can read; ``kapbot index`` (or a reload) and ``kapbot eval`` then show its effect.

The file is written whole beside the old one and renamed over it (a reader never sees half a
file), with its mode and its line endings kept: a CRLF file stays CRLF.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kapbot.corpus.markdown import HEADING, QUESTIONS_OPEN
from kapbot.corpus.reader import load_corpus
from kapbot.errors import KapbotError
from kapbot.models import Section


@dataclass(frozen=True)
class Taught:
    path: Path
    section: Section
    question: str
    diff: str  # unified diff of the corpus file ("" when the question was already there)


def clean(question: str) -> str:
    """One line, no comment markers, at most 300 characters."""
    text = re.sub(r"\s+", " ", question.replace("-->", " ").replace("<!--", " ")).strip()
    return text.lstrip("-* ").strip()[:300]


def find_section(corpus_dir: Path, section: str) -> Section:
    """The section named by its id (``file.md#slug``) or by its heading (any case)."""
    corpus = load_corpus(corpus_dir)
    for candidate in corpus.sections:
        if candidate.id == section:
            return candidate
    wanted = " ".join(section.replace("’", "'").casefold().split())
    by_heading = [s for s in corpus.sections
                  if " ".join(s.heading.replace("’", "'").casefold().split()) == wanted]
    if len(by_heading) == 1:
        return by_heading[0]
    if by_heading:
        raise KapbotError(f"{len(by_heading)} sections have the heading {section!r}: give one of "
                          f"their ids: {', '.join(s.id for s in by_heading)}")
    names = [s.id for s in corpus.sections] + [s.heading for s in corpus.sections]
    close = difflib.get_close_matches(section, names, n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise KapbotError(
        f"No section {section!r} in {corpus_dir}: give a section's id or its heading; "
        f"`kapbot sections` lists them.{hint}"
    )


def teach(corpus_dir: Path, section_id: str, question: str) -> Taught:
    """Add ``question`` to the question bank of section ``section_id`` (an id or a heading);
    returns the diff."""
    text = clean(question)
    if not text:
        raise KapbotError("The question is empty: give the question a visitor asked")
    section = find_section(corpus_dir, section_id)
    path = Path(corpus_dir) / section.doc
    if any(text.casefold() == q.casefold() for q in section.questions):
        return Taught(path, section, text, "")
    with path.open(encoding="utf-8", newline="") as file:  # line endings as they are
        raw = file.read()
    parts = re.split(r"(\r\n|\r|\n)", raw)  # the same line breaks the corpus reader sees
    lines, ends = parts[0::2], [*parts[1::2], ""]
    newline = max(("\r\n", "\n", "\r"), key=ends.count) if len(ends) > 1 else "\n"
    start = max(section.line - 1, 0)  # the heading line (0-based), or the document start
    end = next((i for i in range(start + 1, len(lines)) if HEADING.match(lines[i])),
               len(lines))
    block = next((i for i in range(start, end) if QUESTIONS_OPEN.match(lines[i])), None)
    closing = None
    if block is not None:
        closing = next((i for i in range(block, end) if "-->" in lines[i]), None)
    before = list(lines)
    if block is not None and closing is not None and lines[closing].strip() == "-->":
        at, added = closing, [f"- {text}"]
    else:  # a new block at the end of the section's text
        at = end
        while at > start + 1 and not lines[at - 1].strip():
            at -= 1
        added = ["", "<!-- questions", f"- {text}", "-->"]
    new_ends = [newline] * len(added)
    if at == len(lines):  # after the last line, which had no line break
        ends[-1], new_ends[-1] = newline, ""
    ends[at:at] = new_ends
    lines[at:at] = added
    _replace(path, "".join(line + end for line, end in zip(lines, ends, strict=True)))
    diff = "".join(difflib.unified_diff(  # line by line; the endings are kept, never changed
        [ln + "\n" for ln in before], [ln + "\n" for ln in lines],
        fromfile=f"a/{section.doc}", tofile=f"b/{section.doc}", n=2,
    ))
    return Taught(path, section, text, diff)


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to a new file in the same folder, then rename it over ``path``."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
