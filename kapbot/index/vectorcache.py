"""The index's vectors, remembered between builds.

Building the index embeds every unit of the corpus with the full model (sentence-transformers,
which means importing torch: about 6 s, then about 6 s of embedding for the shipped corpus on two
cores). Most rebuilds change a few units: the therapist edits one page, or teaches one question.
``VectorCache`` wraps the index embedder and keeps each text's vector in one ``.npz`` (keyed by a
hash of the text, per model), so a rebuild embeds only the texts it has not seen, and loads the
model only when there is one. The vectors are the model's own, so an index built from the cache
equals one built without it. Derived data, never committed; a missing or damaged file is rebuilt.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from kapbot import npzfile
from kapbot.index.embeddings import Embedder


class VectorCache:
    """An ``Embedder`` that asks ``inner`` only for texts it has not embedded before."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        digest = hashlib.sha256(inner.name.encode()).hexdigest()[:12]
        self.path = Path(folder) / f"index-vectors-{digest}.npz"
        self._known: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        if self._known is None:
            self._known = npzfile.load_rows(self.path, self.name)
        return self._known

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            known = self._load()
            keys = [npzfile.text_key(t) for t in texts]
            missing = list(dict.fromkeys(k for k in keys if k not in known))
            if missing:
                where = {k: i for i, k in enumerate(keys)}
                fresh = self.inner.embed([texts[where[k]] for k in missing])
                known.update(zip(missing, fresh, strict=True))  # float64 on disk: exactly as given
                npzfile.save_rows(self.path, known, self.name)
            # a loaded row is a numpy array: its own ``tolist`` is the fast way to floats
            return [row.tolist() if hasattr(row := known[k], "tolist") else [float(x) for x in row]
                    for k in keys]


def full_model(model_path: str | Path, folder: Path) -> VectorCache:
    """The index embedder: the full model (loaded only when a text is new), behind the cache."""
    from kapbot.index.fullmodel import SentenceTransformerEmbedder

    return VectorCache(SentenceTransformerEmbedder(model_path), folder)
