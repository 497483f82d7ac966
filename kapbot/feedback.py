"""Visitors' thumbs up/down on replies, kept locally in ``data_dir/feedback.sqlite3``.

Each row holds the rating, the kind of reply and the ids of the sections it quoted; the visitor's
question is kept only when storing conversations is opted into (``store_conversations``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

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
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.execute(SCHEMA)
        return conn

    def record(self, rating: str, kind: str, sources: Sequence[str],
               question: str | None = None) -> None:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO feedback (at, rating, kind, sources, question) VALUES (?, ?, ?, ?, ?)",
                (time.time(), rating, kind, " ".join(sources), question),
            )
        conn.close()

    def counts(self) -> dict[str, int]:
        if not self.path.exists():
            return {"up": 0, "down": 0}
        with self._lock, self._connect() as conn:
            rows = conn.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        conn.close()
        return {"up": 0, "down": 0, **{rating: int(n) for rating, n in rows}}
