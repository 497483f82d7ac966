"""Visitors' thumbs up/down on replies, kept locally in ``data_dir/feedback.sqlite3``.

Each row holds the rating, the kind of reply and the ids of the sections it quoted; the visitor's
question is kept only when storing conversations is opted into (``store_conversations``), and
only for ``retention_days``, like the conversations: ``purge_questions`` blanks it afterwards (at
start-up and by ``kapbot purge``), keeping the rating.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from kapbot.history import DAY
from kapbot.sqlitedb import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    kind TEXT NOT NULL,
    sources TEXT NOT NULL,
    question TEXT
)
"""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.db = SqliteFile(path, SCHEMA)
        self.path = self.db.path

    def record(self, rating: str, kind: str, sources: Sequence[str],
               question: str | None = None) -> None:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO feedback (at, rating, kind, sources, question) VALUES (?, ?, ?, ?, ?)",
                (time.time(), rating, kind, " ".join(sources), question),
            )

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
