"""What is found once and remembered: the text splitter's chunks between starts
(``kapbot.index.splitcache``), and each "did you mean" button's question per index version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kapbot import npzfile
from kapbot.bot import Bot
from kapbot.corpus.chunking import chunk_sections, split_text
from kapbot.corpus.markdown import parse_document
from kapbot.index.splitcache import SplitCache

from .conftest import ROOT

LONG = " ".join(f"Sentence number {n} says a little about the preparation sessions." for n in
                range(40))
def kept(path: Path) -> dict[str, object]:
    """The chunks the file holds, by key."""
    saved = npzfile.load_text(path)
    assert saved is not None
    return dict(json.loads(saved))


def keep(path: Path, chunks: dict[str, object]) -> None:
    """Write ``chunks`` into the file as a hand-edited one would be (same splitter version)."""
    saved = npzfile.load(path)
    assert saved is not None
    npzfile.save_text(path, json.dumps(chunks), str(saved["fingerprint"]))


DOC = f"---\ntitle: T\n---\n# T\n\n## Preparation\n\n{LONG}\n\n## Short\n\nOne short line.\n"


def test_remembered_chunks_are_the_splitters_own(tmp_path: Path) -> None:
    path = tmp_path / "chunks" / "splits.npz"
    cache = SplitCache(path)
    chunks = cache.split(LONG, 300, 50)
    assert chunks == split_text(LONG, 300, 50) and len(chunks) > 1
    cache.save()
    assert path.is_file()
    sections = parse_document("t.md", DOC).sections
    again = SplitCache(path)  # a new start: read from the file
    assert chunk_sections(sections, 300, 50, again.split) == chunk_sections(sections, 300, 50)


def test_other_sizes_are_split_afresh_and_a_damaged_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "splits.npz"
    cache = SplitCache(path)
    cache.split(LONG, 300, 50)
    cache.split(LONG + " Edited.", 300, 50)
    cache.save()
    assert len(kept(path)) == 2
    other = SplitCache(path)  # the next start: the edited text alone, at another size as well
    assert other.split(LONG + " Edited.", 300, 50) == split_text(LONG + " Edited.", 300, 50)
    assert other.split(LONG, 500, 50) == split_text(LONG, 500, 50)
    other.save()  # what this start did not split is forgotten: the text before the edit
    assert len(kept(path)) == 2
    assert npzfile.text_key("300\x0050\x00" + LONG) not in kept(path)  # as SplitCache keys
    unchanged = SplitCache(path)
    unchanged.split(LONG + " Edited.", 300, 50)
    unchanged.split(LONG, 500, 50)
    before = path.stat().st_mtime_ns
    unchanged.save()  # nothing added, nothing stale: not written
    assert path.stat().st_mtime_ns == before
    path.write_bytes(b"not a numpy file")
    damaged = SplitCache(path)
    assert damaged.split(LONG, 300, 50) == split_text(LONG, 300, 50)
    damaged.save()
    assert len(kept(path)) == 1
    assert SplitCache(path).split("short", 300, 50) == ["short"]  # never split, never kept
    key = next(iter(kept(path)))
    keep(path, {key: "not a list of chunks"})
    assert SplitCache(path).split(LONG, 300, 50) == split_text(LONG, 300, 50)


def test_a_start_on_an_unchanged_corpus_imports_no_splitter(real_bot: Bot) -> None:
    """``real_bot`` chunked the shipped corpus once; another start on it reads the file."""
    settings = real_bot.settings
    code = f"""
import sys
from pathlib import Path
from kapbot import npzfile
from kapbot.bot import Bot
from kapbot.settings import load
bot = Bot(load(config_path=Path({str(ROOT / "kapbot.toml")!r}), environ={{}},
               data_dir={str(settings.data_dir)!r}, cache_dir={str(settings.cache_dir)!r}))
bot.prepare()
print(bot.ask("How long is a session?").kind, "langchain_text_splitters" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["answer", "False"]


def test_a_buttons_question_is_found_once_per_index_version(real_bot: Bot) -> None:
    """What a "did you mean" button asks is kept with the index version that found it."""
    snap = real_bot._snapshot
    assert snap is not None
    section = next(s for s in snap.sections.values() if s.questions)
    first = real_bot.search.clearest_question(snap, section.id, True)
    assert first and snap.button_questions[(section.id, True, "en")] == first
    snap.button_questions[(section.id, True, "en")] = "remembered"
    assert real_bot.search.clearest_question(snap, section.id, True) == "remembered"
    del snap.button_questions[(section.id, True, "en")]
    assert real_bot.search.clearest_question(snap, section.id, True) == first
