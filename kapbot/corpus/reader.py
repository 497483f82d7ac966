"""Reading the corpus folder: every ``.md`` and ``.txt`` file in it (sub-folders included).

A file that cannot be read or parsed is reported by name and line, and the rest still loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot.corpus.markdown import parse_document
from kapbot.errors import CorpusError
from kapbot.models import Document, Section

log = logging.getLogger("kapbot.corpus")

SUFFIXES = (".md", ".markdown", ".txt")
INDEX_SCHEMA = 3  # bump when the way units are built changes (2: sentences split by pysbd;
# 3: Spanish bank lines out of the English index)


@dataclass(frozen=True)
class Corpus:
    folder: Path
    documents: tuple[Document, ...]
    digest: str  # hash of every file's name and bytes
    problems: tuple[str, ...] = ()

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(s for d in self.documents for s in d.sections)

    def fingerprint(self, index_settings: dict[str, Any], model: str) -> str:
        payload = json.dumps(
            {"corpus": self.digest, "settings": index_settings, "model": model,
             "schema": INDEX_SCHEMA},
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def corpus_files(folder: Path) -> list[Path]:
    """The files kapbot reads: ``.md``/``.txt``, not README.md, not starting with "." or "_"."""
    return sorted(
        p for p in Path(folder).rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "_"))
        and p.name.lower() != "readme.md"
    )


def load_corpus(folder: Path, log_problems: bool = True) -> Corpus:
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(
            f"No corpus folder at {folder}: create it and add .md files, or set KAPBOT_CORPUS_DIR"
        )
    files = corpus_files(folder)
    digest = hashlib.sha256()
    documents: list[Document] = []
    problems: list[str] = []
    for path in files:
        name = path.relative_to(folder).as_posix()
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{name}:1: cannot be read as UTF-8 text ({exc.__class__.__name__})")
            continue
        digest.update(name.encode() + b"\0" + raw + b"\0")
        doc = parse_document(name, text)
        problems.extend(doc.problems)
        if not doc.sections:
            problems.append(f"{name}:1: has no text to answer from")
            continue
        documents.append(doc)
    for problem in problems if log_problems else ():
        log.warning("Corpus problem: %s", problem)
    if not documents:
        raise CorpusError(f"The corpus folder {folder} has no readable .md or .txt documents")
    return Corpus(folder, tuple(documents), digest.hexdigest(), tuple(problems))
