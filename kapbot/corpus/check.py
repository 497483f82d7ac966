"""``kapbot check``: what kapbot reads in each corpus file, and every mistake it can name, with
its line and its fix. Pure apart from reading the files; ``kapbot index`` runs it first and stops
on an error.

Errors (the index would silently lose text): a ``<!-- questions`` block never closed (the next
heading and its text are swallowed), front matter that is not YAML (with the quoting hint), a file
that is not UTF-8. Warnings: sections without a question bank, bank lines that are also eval
questions (the eval would then measure the bank, not the bot), not-covered lines that are also a
section's question, and the parser's own notes.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kapbot.corpus.markdown import HEADING, NOT_COVERED, QUESTIONS_OPEN, parse_document
from kapbot.corpus.reader import corpus_files
from kapbot.errors import CorpusError
from kapbot.models import Section
from kapbot.text import plain_words, words
from kapbot.workbench.evaluation import norm


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str  # "file.md:28" or "file.md"
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.where}: {self.message}"


@dataclass(frozen=True)
class FileCheck:
    name: str
    kind: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class CheckReport:
    files: tuple[FileCheck, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def sections(self) -> list[Section]:
        return [s for f in self.files for s in f.sections]

    def render(self) -> str:
        out = []
        for file in self.files:
            out.append(f"{file.name} ({file.kind}): {len(file.sections)} sections "
                       "(bank: question bank lines; words: the section's own text)")
            for s in file.sections:
                out.append(f"  bank {len(s.questions):>3}  words {len(s.text.split()):>4}  "
                           f"{s.id}  {s.heading}")
        out += [str(f) for f in self.findings]
        errors = len(self.errors)
        out.append(f"{errors} error{'s' if errors != 1 else ''}, "
                   f"{len(self.findings) - errors} warnings")
        return "\n".join(out)


def unclosed_blocks(name: str, lines: Sequence[str]) -> list[tuple[Finding, int, int]]:
    """Each ``<!-- questions`` block that a heading, another comment or the file's end reaches
    before its ``-->``: the finding, and the span of lines (1-based) the parser then swallows."""
    found = []
    i = 0
    while i < len(lines):
        opened = QUESTIONS_OPEN.match(lines[i])
        if opened is None or "-->" in opened.group(1):
            i += 1
            continue
        start = i + 1
        j = i + 1
        while j < len(lines) and "-->" not in lines[j]:
            line = lines[j]
            if HEADING.match(line) or line.lstrip().startswith("<!--"):
                heading = HEADING.match(line)
                lost = heading.group(2) if heading else line.strip()
                found.append((Finding(
                    Severity.ERROR, f"{name}:{start}",
                    f"the questions block opened at line {start} is never closed; {lost!r} "
                    f"(line {j + 1}) would be swallowed. Add a line '-->' after the block's last "
                    "question."), start, _closing(lines, j)))
                break
            j += 1
        else:
            if j >= len(lines):
                found.append((Finding(
                    Severity.ERROR, f"{name}:{start}",
                    f"the questions block opened at line {start} is never closed: add a line "
                    "'-->' after its last question."), start, len(lines)))
        i = j + 1
    return found


def _closing(lines: Sequence[str], j: int) -> int:
    return next((k + 1 for k in range(j, len(lines)) if "-->" in lines[k]), len(lines))


YAML_SPECIAL = re.compile(r"""^\s*([\w-]+)\s*:\s+(?!["'])(.*(?::\s|\s#).*|[\[\]{}*&!|>%@`].*)$""")


def front_matter_problem(name: str, lines: Sequence[str]) -> Finding | None:
    """Front matter that YAML cannot read, with the quoting hint for the line that needs it."""
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return Finding(Severity.ERROR, f"{name}:1", "the front matter opened with '---' is "
                       "never closed: add a line '---' after its last 'key: value' line.")
    try:
        yaml.safe_load("\n".join(lines[1:end]))
        return None
    except yaml.YAMLError:
        pass
    for number in range(1, end):
        special = YAML_SPECIAL.match(lines[number])
        if special:
            key, value = special.group(1), special.group(2).strip()
            quoted = json.dumps(value, ensure_ascii=False)
            return Finding(Severity.ERROR, f"{name}:{number + 1}",
                           f"the front matter is not valid YAML: the {key} {value!r} has a "
                           f"colon or a special character; put it in double quotes: "
                           f"{key}: {quoted}")
    return Finding(Severity.ERROR, f"{name}:2", "the front matter is not valid YAML: write one "
                   "'key: value' per line, and put a value with a colon or a # in double quotes "
                   "(title: \"Ketamine: what to expect\").")


def eval_questions(paths: Iterable[Path]) -> dict[str, tuple[str, int]]:
    """Each eval question (normalised) → (its file, its line)."""
    out: dict[str, tuple[str, int]] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                data = json.loads(line) if line.strip() else {}
            except json.JSONDecodeError:
                continue
            text = data.get("question") or data.get("message") if isinstance(data, dict) else ""
            if text:
                out.setdefault(norm(str(text)), (path.name, number))
    return out


def both_ways(files: Sequence[FileCheck]) -> list[Finding]:
    """A warning for each not-covered line that is also one of a section's own questions (a
    bank line or an FAQ heading; case, accents and punctuation aside, ``plain_words``): kapbot
    would learn to answer it and to refuse it at once."""
    def plain(question: str) -> tuple[str, ...]:
        return tuple(plain_words(question))

    answered = {plain(q): (f"{f.name}:{s.line}", s.heading) for f in files
                if f.kind != NOT_COVERED for s in f.sections for q in s.own_questions}
    return [Finding(Severity.WARNING, f"{f.name}:{s.line}",
                    f"this not-covered line is also a question of '{answered[plain(q)][1]}' "
                    f"({answered[plain(q)][0]}): {q!r}. kapbot would learn to answer it and to "
                    "refuse it; remove it here if that section answers it, else from that "
                    "section.")
            for f in files if f.kind == NOT_COVERED for s in f.sections for q in s.questions
            if plain(q) in answered]


def check_corpus(folder: Path, evals: Sequence[Path] = ()) -> CheckReport:
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"No corpus folder at {folder}: create it and add .md files (`kapbot "
                          "init` makes one), or set corpus_dir in kapbot.toml or "
                          "KAPBOT_CORPUS_DIR")
    files: list[FileCheck] = []
    findings: list[Finding] = []
    asked = eval_questions(evals)
    no_bank = 0
    for path in corpus_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(Finding(Severity.ERROR, f"{name}:1", f"cannot be read as UTF-8 text "
                                    f"({exc.__class__.__name__}): save it as UTF-8."))
            continue
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        blocks = unclosed_blocks(name, lines)
        findings += [f for f, _, _ in blocks]
        front = front_matter_problem(name, lines)
        if front:
            findings.append(front)
        doc = parse_document(name, text)
        for problem in doc.problems:
            where, _, message = problem.partition(": ")
            line = int(where.rsplit(":", 1)[1]) if where.rsplit(":", 1)[-1].isdigit() else 0
            covered = any(a <= line <= b for _, a, b in blocks) or "never closed" in message
            if not covered and not (front and "front matter" in message):
                findings.append(Finding(Severity.WARNING, where, message))
        files.append(FileCheck(name, doc.kind, doc.sections))
        if doc.kind != NOT_COVERED:
            no_bank += sum(1 for s in doc.sections if not s.questions)
        for s in doc.sections:
            for q in s.questions:
                if norm(q) in asked:
                    source, number = asked[norm(q)]
                    findings.append(Finding(
                        Severity.WARNING, f"{name}:{s.line}",
                        f"this bank line is also an eval question ({source}:{number}): {q!r}. "
                        "Reword or remove one, or the eval measures the bank, not the bot."))
    findings += both_ways(files)
    if not files and not findings:
        findings.append(Finding(Severity.ERROR, folder.name, "no .md or .txt files: write your "
                                "pages (see _example-page.md), then run `kapbot check` again."))
    if no_bank:
        findings.append(Finding(Severity.WARNING, folder.name,
                                f"{no_bank} sections have no question bank: add a "
                                "'<!-- questions' block of 8-12 ways a visitor might ask "
                                "(the biggest single lift in quality)."))
    if files and not any(w for f in files if f.kind != NOT_COVERED for s in f.sections
                         for w in words(s.text)):
        findings.append(Finding(Severity.WARNING, folder.name, "no page has text yet: every "
                                "question will get 'not covered here'."))
    return CheckReport(tuple(files), tuple(findings))
