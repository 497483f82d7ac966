"""A damaged local index, kept as evidence: SQLite's check, moving a folder aside, pruning.

When the local Chroma index is damaged, its folder is renamed ``<folder>.broken-<UTC time>``
(never deleted then), and a new index is built. Evidence folders are pruned by age: those older
than ``KEEP_BROKEN_DAYS`` go, and at most ``KEEP_BROKEN`` are kept; the newest always stays.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

log = logging.getLogger("kapbot.store")

KEEP_BROKEN_DAYS = 30
KEEP_BROKEN = 5
DAMAGE_WORDS = ("malformed", "not a database", "corrupt")  # SQLite's words for a damaged file


def sqlite_intact(db: Path) -> bool:
    """Whether ``db`` passes SQLite's ``quick_check`` (missing, or busy with a writer: True)."""
    if not db.exists():
        return True
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return bool(con.execute("PRAGMA quick_check").fetchall() == [("ok",)])
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.DatabaseError:
        return False


def looks_damaged(exc: BaseException, db: Path) -> bool:
    """Whether a failed read of the local index ``db`` comes from damaged files."""
    return any(w in str(exc).lower() for w in DAMAGE_WORDS) or not sqlite_intact(db)


def move_aside(path: Path) -> Path | None:
    """Rename ``path`` to a new ``<path>.broken-<UTC time>`` and prune old evidence; the new
    name (None if ``path`` did not exist)."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    broken = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while broken.exists():
        broken, n = path.with_name(f"{path.name}.broken-{stamp}-{n}"), n + 1
    path.rename(broken)
    os.utime(broken)  # its age, for pruning, counts from now
    prune_broken(path)
    return broken


def prune_broken(path: Path, keep_days: float = KEEP_BROKEN_DAYS, keep: int = KEEP_BROKEN,
                 now: float | None = None) -> list[Path]:
    """Delete the evidence folders of ``path`` (``<path>.broken*``) older than ``keep_days`` or
    beyond the newest ``keep``; the newest always stays. The ones deleted."""
    now = time.time() if now is None else now
    folders = sorted((p for p in path.parent.glob(f"{path.name}.broken*") if p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    doomed = [p for i, p in enumerate(folders)
              if i > 0 and (i >= keep or now - p.stat().st_mtime > keep_days * 86400)]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
        log.info("Deleted old index evidence %s", folder)
    return doomed


def short(exc: BaseException, limit: int = 300) -> str:
    """An error's message on one line, cut to ``limit`` characters."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
