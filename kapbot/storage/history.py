"""Stored conversations: off by default, an explicit opt-in (``store_conversations``).

When on, each message is kept in ``data_dir/conversations.sqlite3`` as kapbot read it (markup
removed) with the kind of reply and its sources, for ``retention_days``; older rows are deleted at
start-up and by ``kapbot purge``. When off, nothing is written and this file is never created.
"""

from __future__ import annotations

import time
from pathlib import Path

from kapbot.models import Answer
from kapbot.storage.sqlitedb import SqliteFile

DAY = 86_400.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    sources TEXT NOT NULL
)
"""


class History:
    def __init__(self, path: Path, retention_days: int) -> None:
        self.db = SqliteFile(path, SCHEMA)
        self.path = self.db.path
        self.retention_days = retention_days

    def record(self, answer: Answer, now: float | None = None) -> None:
        sources = "; ".join(f"{s.title} — {s.section}" for s in answer.sources)
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO messages (at, question, kind, sources) VALUES (?, ?, ?, ?)",
                (time.time() if now is None else now, answer.question, answer.kind, sources),
            )

    def purge(self, everything: bool = False, now: float | None = None) -> int:
        """Delete rows past the retention period (or all of them); returns how many went."""
        if not self.path.exists():
            return 0
        cutoff = (time.time() if now is None else now) - self.retention_days * DAY
        with self.db.connect() as conn:
            if everything:
                deleted = conn.execute("DELETE FROM messages").rowcount
            else:
                deleted = conn.execute("DELETE FROM messages WHERE at < ?", (cutoff,)).rowcount
        with self.db.connect() as conn:
            conn.isolation_level = None  # VACUUM cannot run inside a transaction
            conn.execute("VACUUM")
        return int(deleted)

    def recent(self, kind: str, limit: int = 20) -> list[tuple[float, str]]:
        """The latest stored questions that got a reply of ``kind``, newest first."""
        if not self.path.exists():
            return []
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT at, question FROM messages WHERE kind = ? ORDER BY at DESC LIMIT ?",
                (kind, limit),
            ).fetchall()
        return [(float(at), str(q)) for at, q in rows]

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self.db.connect() as conn:
            (n,) = conn.execute("SELECT COUNT(*) FROM messages").fetchone()
        return int(n)
