"""Parse one corpus document (Markdown or plain text) into sections. Pure: text in, values out.

The format the therapist writes (README, "Adding and editing content"):

    ---
    title: My article            # optional; else the first "# " heading, else the file name
    url: https://example.org/a   # optional; becomes the source link
    kind: article                # optional; how replies name it ("From <therapist>'s article, ...")
    lang: es                     # optional; the page's language (default en)
    ---
    # Title
    Intro paragraph(s).
    ## A section
    Paragraphs...
    <!-- questions
    - A way a visitor might ask what this section answers?
    -->
    ### An FAQ question?
    Its answer.

A ``<!-- questions`` block belongs to the section it sits in, and is hidden by any Markdown
renderer. A document with ``kind: not-covered`` holds only such blocks: questions the writing
does not answer, which teach the assistant to say so. Other HTML comments are ignored. A heading
with no text of its own is not a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kapbot.models import Document, Section

NOT_COVERED = "not-covered"  # a document kind: questions the writing does not answer

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
QUESTIONS_OPEN = re.compile(r"^\s*<!--\s*questions\b\s*:?\s*(.*)$", re.IGNORECASE)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", ""))
    return slug.strip("-") or "section"


@dataclass
class _Open:
    path: tuple[str, ...]
    line: int
    paragraphs: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    def end_paragraph(self) -> None:
        if self.current:
            self.paragraphs.append(" ".join(self.current))
            self.current = []


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, Any], int, list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, 0, []
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                data = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = (mark.line + 2) if mark is not None else 1
                return {}, end + 1, [f"{name}:{line}: front matter is not valid YAML"]
            if not isinstance(data, dict):
                return {}, end + 1, [f"{name}:2: front matter should be 'key: value' lines"]
            return data, end + 1, []
    return {}, 0, [f"{name}:1: front matter opened with '---' is never closed"]


def parse_document(name: str, text: str) -> Document:
    """Parse ``text`` (the content of corpus file ``name``). Problems are reported, not raised."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").split("\n")
    meta, start, problems = _front_matter(lines, name)
    title = str(meta.get("title") or "").strip()
    if not title:
        h1s = (m.group(2) for ln in lines[start:] if (m := HEADING.match(ln)) and m[1] == "#")
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        title = next(h1s, stem.replace("-", " ").replace("_", " ").strip().capitalize())
    url = str(meta.get("url") or "").strip()
    kind = str(meta.get("kind") or "article").strip()
    lang = str(meta.get("lang") or "en").strip().lower()[:2]  # `lang: es` for a Spanish page

    finished: list[_Open] = []
    section = _Open(path=(title,), line=start + 1)
    stack: list[tuple[int, str]] = []  # (level, heading) below the title
    comment: str | None = None  # "questions", "other" while inside a comment
    comment_line = 0

    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.replace("\xa0", " ").rstrip()
        if comment is not None:
            content = line
            closed = "-->" in line
            if closed:
                content = line.split("-->", 1)[0]
                comment = None if comment != "questions" else "close"
            if comment in ("questions", "close"):
                item = content.strip()
                if item.startswith(("- ", "* ")):
                    section.questions.append(item[2:].strip())
                elif item:
                    problems.append(f"{name}:{number}: a question should start with '- '")
                if comment == "close":
                    comment = None
            continue
        if (opened := QUESTIONS_OPEN.match(line)) is not None:
            section.end_paragraph()
            comment, comment_line = "questions", number
            rest = opened.group(1)
            if "-->" in rest:
                comment = None
                rest = rest.split("-->", 1)[0]
            if rest.strip().startswith(("- ", "* ")):
                section.questions.append(rest.strip()[2:].strip())
            continue
        if line.lstrip().startswith("<!--"):
            section.end_paragraph()
            if "-->" not in line:
                comment, comment_line = "other", number
            continue
        heading = HEADING.match(line)
        if heading:
            section.end_paragraph()
            finished.append(section)
            level, words = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                stack = []
                section = _Open(path=(title,), line=number)
                continue
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, words)]
            section = _Open(path=(title, *(h for _, h in stack)), line=number)
            continue
        if not line.strip():
            section.end_paragraph()
        else:
            section.current.append(line.strip())
    section.end_paragraph()
    finished.append(section)
    if comment is not None:
        problems.append(f"{name}:{comment_line}: '<!--' is never closed with '-->'")

    sections: list[Section] = []
    seen: set[str] = set()
    for entry in finished:
        if not entry.paragraphs and not (kind == NOT_COVERED and entry.questions):
            if entry.questions:
                problems.append(
                    f"{name}:{entry.line}: questions under a heading with no text are ignored"
                )
            continue
        slug = slugify(entry.path[-1]) if len(entry.path) > 1 else "intro"
        sid, n = f"{name}#{slug}", 2
        while sid in seen:
            sid, n = f"{name}#{slug}-{n}", n + 1
        seen.add(sid)
        sections.append(
            Section(
                id=sid,
                doc=name,
                title=title,
                heading_path=entry.path,
                text="\n\n".join(entry.paragraphs),
                url=url,
                doc_kind=kind,
                questions=tuple(q for q in entry.questions if q),
                line=entry.line,
                lang=lang,
            )
        )
    return Document(
        name=name, title=title, sections=tuple(sections), url=url, kind=kind,
        problems=tuple(problems),
    )
