"""Visitors' thumbs up/down on replies, kept locally in ``data_dir/feedback.sqlite3``.

Each row holds the rating, the kind of reply and the ids of the sections it quoted; the visitor's
question is kept only when storing conversations is opted into (``store_conversations``), and
only for ``retention_days``, like the conversations: ``purge_questions`` blanks it afterwards (at
start-up and by ``kapbot purge``), keeping the rating. A reply has at most one row (``reply``: a
random id given to the reply in its conversation): a later rating of the same reply replaces the
earlier one, and withdrawing it deletes the row.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from kapbot.storage.history import DAY
from kapbot.storage.sqlitedb import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    kind TEXT NOT NULL,
    sources TEXT NOT NULL,
    question TEXT,
    reply TEXT
)
"""
ONE_PER_REPLY = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_reply ON feedback (reply)"


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.db = SqliteFile(path, SCHEMA)
        self.path = self.db.path
        self._ready = False

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Files written before ratings had a reply id get the column (and the index)."""
        if not self._ready:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
            if "reply" not in columns:
                conn.execute("ALTER TABLE feedback ADD COLUMN reply TEXT")
            conn.execute(ONE_PER_REPLY)
            self._ready = True

    def record(self, rating: str, kind: str, sources: Sequence[str],
               question: str | None = None) -> None:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO feedback (at, rating, kind, sources, question) VALUES (?, ?, ?, ?, ?)",
                (time.time(), rating, kind, " ".join(sources), question),
            )

    def rate(self, reply: str, rating: str | None, kind: str, sources: Sequence[str],
             question: str | None = None) -> str | None:
        """Set (``"up"``/``"down"``) or withdraw (``None``) the one rating of ``reply``; returns
        the rating it had before. Atomic, so racing clicks on one reply still leave one row."""
        if rating not in ("up", "down", None):
            raise ValueError(f"rating must be 'up', 'down' or None, not {rating!r}")
        with self.db.connect() as conn:
            self._upgrade(conn)
            row = conn.execute("SELECT rating FROM feedback WHERE reply = ?", (reply,)).fetchone()
            if rating is None:
                conn.execute("DELETE FROM feedback WHERE reply = ?", (reply,))
            else:
                conn.execute(
                    "INSERT INTO feedback (at, rating, kind, sources, question, reply) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reply) DO UPDATE SET "
                    "at = excluded.at, rating = excluded.rating",
                    (time.time(), rating, kind, " ".join(sources), question, reply),
                )
        return str(row[0]) if row else None

    def counts(self) -> dict[str, int]:
        if not self.path.exists():
            return {"up": 0, "down": 0}
        with self.db.connect() as conn:
            rows = conn.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {"up": 0, "down": 0, **{rating: int(n) for rating, n in rows}}

    def purge_questions(self, retention_days: int, everything: bool = False,
                        now: float | None = None) -> int:
        """Blank the visitors' questions kept past ``retention_days`` (or all of them), and
        compact the file so no copy stays in its free pages; returns how many were blanked."""
        if not self.path.exists():
            return 0
        cutoff = (time.time() if now is None else now) - retention_days * DAY
        with self.db.connect() as conn:
            blanked = conn.execute(
                "UPDATE feedback SET question = NULL WHERE question IS NOT NULL AND at < ?",
                (float("inf") if everything else cutoff,),
            ).rowcount
        if blanked:
            with self.db.connect() as conn:
                conn.isolation_level = None  # VACUUM cannot run inside a transaction
                conn.execute("VACUUM")
        return int(blanked)
