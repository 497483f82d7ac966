"""What visitors ask that the writing misses, without keeping what they typed.

Each unanswered question ("not covered here") and each thumbs-down is counted under the closest
question the corpus already knows (a question-bank line, an FAQ heading or a not-covered
example: the therapist's own words, never the visitor's), with the section that question belongs
to. Questions alike in meaning land on the same known question, so the counts group them by
embedding similarity. ``kapbot report`` lists the biggest groups and when each was last seen; the
visitors' own words appear there only when storing conversations was opted into.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from kapbot.models import Answer
from kapbot.ranking.decide import NOT_COVERED_REASONS
from kapbot.storage.sqlitedb import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS gaps (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('no_answer', 'down')),
    topic TEXT NOT NULL,
    section TEXT NOT NULL
)
"""

@dataclass(frozen=True)
class Gap:
    topic: str  # the known question this group is closest to
    section: str  # the section holding it
    no_answer: int
    thumbs_down: int
    last_seen: float

    @property
    def total(self) -> int:
        return self.no_answer + self.thumbs_down


def is_gap(answer: Answer) -> bool:
    """A "not covered" decided by retrieval. Other no-answer replies (a broken index, a rate
    limit, another language, a request outside the assistant's scope) say nothing about the
    writing."""
    return answer.kind == "no_answer" and answer.reason.startswith(NOT_COVERED_REASONS)


class GapLog:
    def __init__(self, path: Path) -> None:
        self.db = SqliteFile(path, SCHEMA)
        self.path = self.db.path

    def record(self, event: str, topic: str, section: str, now: float | None = None) -> None:
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO gaps (at, event, topic, section) VALUES (?, ?, ?, ?)",
                (time.time() if now is None else now, event, topic or "(no close question)",
                 section),
            )

    def forget(self, event: str, topic: str, section: str) -> None:
        """Take back one ``record`` (a thumbs-down changed or withdrawn): the latest such row."""
        with self.db.connect() as conn:
            conn.execute(
                "DELETE FROM gaps WHERE id = (SELECT MAX(id) FROM gaps WHERE event = ? AND "
                "topic = ? AND section = ?)", (event, topic or "(no close question)", section),
            )

    def top(self, limit: int = 10) -> list[Gap]:
        if not self.path.exists():
            return []
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT topic, section, SUM(event = 'no_answer'), SUM(event = 'down'), MAX(at) "
                "FROM gaps GROUP BY topic, section "
                "ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT ?", (limit,),
            ).fetchall()
        return [Gap(t, s, int(n), int(d), float(at)) for t, s, n, d, at in rows]
