"""The text splitter's chunks, remembered between starts.

Chunking a section longer than ``chunk_size`` asks LangChain's ``RecursiveCharacterTextSplitter``
(``kapbot.corpus.chunking.split_text``). Every start chunks the corpus again to check that the
index matches it, and importing the splitter alone took 0.2-0.3 s of each cold ``kapbot ask``
(about 2 s in all; ``benchmarks/results.md``). ``SplitCache`` keeps each text's chunks in one
file (``kapbot.npzfile``: written atomically, saved under the splitter's installed version, so an
upgraded splitter chunks afresh), keyed by a hash of the text and the two sizes: a start whose
corpus has not changed imports no splitter. The chunks are the splitter's own, so the units, the
fingerprint and the index are the same with or without the file. ``save`` keeps only the
chunks of the texts this start split, so the file holds the corpus of now, not every edit of
it. Derived data, never committed; a missing or damaged file is rebuilt.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kapbot import npzfile
from kapbot.corpus.chunking import split_text

log = logging.getLogger("kapbot")


def _splitter_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("langchain-text-splitters")
    except PackageNotFoundError:
        return "?"


class SplitCache:
    """``split(text, chunk_size, chunk_overlap)``, as ``split_text``, answered from ``path``
    when it has seen the same text; ``save()`` writes the chunks of the texts split since the
    start (one whole corpus), and forgets the rest."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._version = _splitter_version()
        self._known: dict[str, list[str]] | None = None
        self._added = False
        self._used: set[str] = set()

    def _load(self) -> dict[str, list[str]]:
        if self._known is None:
            saved = npzfile.load_text(self.path, self._version)
            try:
                known = json.loads(saved) if saved is not None else {}
                self._known = {str(k): v for k, v in known.items()  # anything else: split again
                               if isinstance(v, list) and all(isinstance(c, str) for c in v)}
            except (ValueError, AttributeError):
                self._known = {}
        return self._known

    def split(self, text: str, chunk_size: int, chunk_overlap: int) -> list[str]:
        if len(text) <= chunk_size:  # never split: nothing to remember
            return split_text(text, chunk_size, chunk_overlap)
        known = self._load()
        key = npzfile.text_key(f"{chunk_size}\0{chunk_overlap}\0{text}")
        self._used.add(key)
        if key not in known:
            known[key] = split_text(text, chunk_size, chunk_overlap)
            self._added = True
        return list(known[key])

    def save(self) -> None:
        """Write the file if anything was added or is no longer used; a failure is logged, not
        raised: the next start chunks again."""
        if self._known is None:
            return
        stale = self._known.keys() - self._used
        if not self._added and not stale:
            return
        self._known = {k: v for k, v in self._known.items() if k in self._used}
        try:
            npzfile.save_text(self.path, json.dumps(self._known, ensure_ascii=False),
                              self._version)
            self._added = False
        except OSError as exc:
            log.warning("Could not save the chunk cache at %s: %s", self.path, exc)
