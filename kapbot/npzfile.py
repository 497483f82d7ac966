"""Arrays saved beside the index (the safety classifier, the section ranker, cached features and
vectors, the splitter's chunks as one text): one ``.npz`` each, written atomically (to a private
temporary name, then renamed, so a reader never sees half a file and two writers never mix), read
without pickle, and, when a fingerprint is given, read only if it matches. Derived data, never
committed: a missing or stale file is simply rebuilt."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def save(path: Path, fingerprint: str = "", **arrays: Any) -> None:
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.partial.npz")
    np.savez(partial, fingerprint=np.array(fingerprint), **arrays)
    partial.replace(path)


def load(path: Path, fingerprint: str | None = None) -> dict[str, Any] | None:
    """The arrays saved at ``path`` (all read into memory), or None when the file is missing,
    unreadable or saved under another ``fingerprint``."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as saved:
            if fingerprint is not None and str(saved["fingerprint"]) != fingerprint:
                return None
            return {name: saved[name] for name in saved.files}
    except (OSError, KeyError, ValueError):
        return None


def text_key(text: str) -> str:
    """The key a text's row is kept under (``save_rows``): a hash, so the file holds no text."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def load_rows(path: Path, fingerprint: str | None = None) -> dict[str, Any]:
    """Rows kept by text key (``save_rows``); empty when the file is missing, damaged or saved
    under another ``fingerprint``."""
    saved = load(path, fingerprint)
    if saved is None or "keys" not in saved:
        return {}
    return dict(zip((str(k) for k in saved["keys"]), saved["rows"], strict=True))


def save_rows(path: Path, rows: dict[str, Any], fingerprint: str = "") -> None:
    """Rows (equal-length vectors, kept exactly as given) by text key, in one file."""
    import numpy as np

    if rows:
        save(path, fingerprint, keys=np.array(list(rows)),
             rows=np.stack([np.asarray(row) for row in rows.values()]))


@contextlib.contextmanager
def one_at_a_time(folder: Path, name: str) -> Iterator[None]:
    """While held, no other process holds ``name`` in ``folder``: two servers (or test workers)
    starting together train a classifier once, the second then loads what the first saved.

    A lock file may be removed (``remove_lock``) while another process waits on it; the lock
    taken is kept only if its file is still the one at the path, else it is taken again."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        if _same_file(handle, path):
            break
        os.close(handle)  # removed while we waited: lock the file now at the path
    try:
        yield
    finally:
        os.close(handle)  # (closing releases the lock)


def remove_lock(folder: Path, name: str) -> None:
    """Remove ``name``'s lock file unless a process holds it now (then it stays)."""
    import fcntl

    path = folder / f".{name}.lock"
    try:
        handle = os.open(path, os.O_RDWR)
    except OSError:
        return  # already gone
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _same_file(handle, path):
            path.unlink(missing_ok=True)  # while held: a waiter finds it gone and locks anew
    except OSError:
        pass  # held by another process: it stays
    finally:
        os.close(handle)


def _same_file(handle: int, path: Path) -> bool:
    try:
        return os.fstat(handle).st_ino == os.stat(path).st_ino
    except OSError:
        return False


def save_text(path: Path, text: str, fingerprint: str = "") -> None:
    """One text (JSON, say) saved as ``save`` saves arrays."""
    import numpy as np

    save(path, fingerprint, text=np.array(text))


def load_text(path: Path, fingerprint: str | None = None) -> str | None:
    """The text ``save_text`` saved, or None as for ``load``."""
    saved = load(path, fingerprint)
    return str(saved["text"]) if saved is not None and "text" in saved else None


def made_once(folder: Path, name: str, find: Callable[[], T | None], make: Callable[[], T]) -> T:
    """What ``find`` finds (a saved model, say), else ``make``'s, made by one process at a time:
    one that waited finds what the first made instead of making it again."""
    found = find()
    if found is not None:
        return found
    with one_at_a_time(folder, name):
        found = find()
        return found if found is not None else make()

