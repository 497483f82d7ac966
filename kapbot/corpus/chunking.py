"""Sections → index units. Pure: no I/O; the text splitter is imported when first used.

Each section yields
  * passages: the section's text, split (section-aware, never across headings) when it is longer
    than ``chunk_size``; embedded with the heading path in front; id ``file#slug-n``;
  * sentences: every sentence, with the section heading in front; id ``file#slug-sn``;
  * questions: an FAQ heading (origin "heading") and the section's question bank (origin
    "bank"), each pointing at the section; id ``file#slug-qn``. A ``not-covered`` document
    yields only questions (origin "not-covered"): they point at no text.
A heading alone is never a unit: sections without text do not exist (see
``kapbot.corpus.markdown``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.models import FAQ_HEADING, Section, Unit
from kapbot.text import split_sentences

Split = Callable[[str, int, int], list[str]]  # (text, chunk_size, chunk_overlap) -> chunks


def split_text(text: str, chunk_size: int, chunk_overlap: int) -> list[str]:
    """The section's text in chunks of at most ``chunk_size`` characters (LangChain's
    ``RecursiveCharacterTextSplitter``); a shorter text is one chunk."""
    if len(text) <= chunk_size:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=["\n\n", ". ", "? ", "! ", "; ", ", ", " "],
        keep_separator="end",
    )
    return [c.strip() for c in splitter.split_text(text) if c.strip()]


def heading_context(section: Section) -> str:
    """The heading path as retrieval context: the document title is left out below the intro."""
    path = section.heading_path[1:] or section.heading_path
    return " > ".join(path)


def section_units(section: Section, chunk_size: int, chunk_overlap: int,
                  split: Split = split_text) -> list[Unit]:
    units: list[Unit] = []
    if section.doc_kind == NOT_COVERED:
        return [
            Unit(f"{section.id}-q{n}", "question", section.id, q, "", NOT_COVERED, n)
            for n, q in enumerate(section.questions, start=1)
        ]
    context = heading_context(section)
    for n, chunk in enumerate(split(section.text, chunk_size, chunk_overlap), start=1):
        text = f"{context}\n{chunk}"
        units.append(Unit(f"{section.id}-{n}", "passage", section.id, text, chunk, "text", n))
    for n, sentence in enumerate(split_sentences(section.text), start=1):
        units.append(
            Unit(f"{section.id}-s{n}", "sentence", section.id, sentence, sentence, "text", n)
        )
    questions: list[tuple[str, str]] = []
    if section.is_faq:
        questions.append((section.heading, FAQ_HEADING))
    questions.extend((q, "bank") for q in section.questions)
    for n, (question, origin) in enumerate(questions, start=1):
        units.append(Unit(f"{section.id}-q{n}", "question", section.id, question, "", origin, n))
    return units


def chunk_sections(
    sections: Iterable[Section], chunk_size: int = 900, chunk_overlap: int = 150,
    split: Split = split_text,
) -> list[Unit]:
    """Every section's units. ``split``: how a long text is cut (``split_text``, or the same
    remembered between starts: ``kapbot.index.splitcache``)."""
    units: list[Unit] = []
    for section in sections:
        units.extend(section_units(section, chunk_size, chunk_overlap, split))
    return units


def tutorial_chunks(text: str, chunk_size: int = 1000, chunk_overlap: int = 200) -> list[str]:
    """The LangChain tutorial's chunking (RecursiveCharacterTextSplitter 1000/200), used only as
    the baseline that ``kapbot eval --tutorial`` compares against."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    return splitter.split_text(text)
