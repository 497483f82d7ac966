"""A small SQLite file in the data folder, made on first write (conversations, feedback).

The folder is made owner-only (700) and the file is created owner-only (600) before SQLite
opens it; SQLite gives its journal the database's mode. A file left readable by an older
version is tightened on first use.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) readable by this user only; returns it."""
    path = Path(path)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 600 if missing; tighten it to 600 if it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, PRIVATE_FILE)


class SqliteFile:
    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.schema = schema
        self._lock = threading.Lock()
        self._private = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        with self._lock:
            if not self._private or not self.path.exists():
                private_file(private_dir(self.path.parent) / self.path.name)
                self._private = True
            conn = sqlite3.connect(self.path)
            try:
                conn.execute(self.schema)
                with conn:
                    yield conn
            finally:
                conn.close()
