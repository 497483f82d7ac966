"""Visitors' thumbs up/down on replies, kept locally in ``data_dir/feedback.sqlite3``.

Each row holds the rating, the kind of reply and the ids of the sections it quoted; the visitor's
question is kept only when storing conversations is opted into (``store_conversations``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

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
