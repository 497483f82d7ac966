"""kapbot's exceptions: one tree, each message says the fix.

    KapbotError
    ├── ConfigError         a setting or kapbot.toml is wrong
    ├── CorpusError         the corpus folder is missing, empty, or a file cannot be read
    ├── ModelError          the embedding model cannot be loaded (offline, from a local folder)
    └── IndexError_         the Chroma index is missing, stale or unusable
        ├── IndexDamaged      the local index files are damaged: moved aside and rebuilt
        └── StoreUnavailable  the store cannot be reached right now
            └── IndexNotReady   no index is loaded yet: it is being built in the background

Front ends catch ``KapbotError`` and show its message; a visitor never sees a traceback.
"""

from __future__ import annotations


class KapbotError(Exception):
    """Base class: anything kapbot can explain to the person running it."""


class ConfigError(KapbotError):
    """A setting has a bad value, or kapbot.toml cannot be read."""


class CorpusError(KapbotError):
    """The corpus folder is missing or empty, or a document cannot be read."""


class ModelError(KapbotError):
    """The embedding model cannot be loaded from its local folder."""


class IndexError_(KapbotError):  # the underscore: not the builtin IndexError
    """The index is missing or cannot be used."""


class IndexDamaged(IndexError_):
    """The local index files are damaged (a read failed and SQLite's check fails)."""


class StoreUnavailable(IndexError_):
    """The vector store cannot be reached right now."""


class IndexNotReady(StoreUnavailable):
    """No index is loaded yet; it is being built in the background."""


__all__ = [
    "ConfigError",
    "CorpusError",
    "IndexDamaged",
    "IndexError_",
    "IndexNotReady",
    "KapbotError",
    "ModelError",
    "StoreUnavailable",
]
