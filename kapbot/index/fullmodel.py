"""The full PyTorch model: the only module that imports torch, transformers or
sentence-transformers (lazily).

Used when the index is built, never on the serving path: ``SentenceTransformerEmbedder`` embeds
the corpus units, and ``export_onnx`` writes the same model once as an ONNX graph, which
``kapbot.index.embeddings.OnnxEmbedder`` then runs for visitors' questions without torch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from kapbot.errors import ModelError
from kapbot.index.modelfolder import MODEL_NAME, model_folder

log = logging.getLogger("kapbot.model")


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 via sentence-transformers, on the CPU, offline, normalised output."""

    def __init__(self, model_path: str | Path = "") -> None:
        self.path = model_folder(model_path)
        self.name = MODEL_NAME if not model_path else f"sentence-transformers:{self.path.name}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                _offline()
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


def export_onnx(model_path: Path, target: Path) -> None:
    """Write the transformer of the model at ``model_path`` as ONNX to ``target`` (atomically:
    a half-written file is never left under the final name). Pooling stays in Python."""
    _offline()
    started = time.perf_counter()
    log.info("Exporting the embedding model to ONNX at %s (once)", target)
    try:
        import torch
        from transformers import AutoModel

        model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()

        class _Hidden(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        sample = torch.ones(2, 8, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        names = ["input_ids", "attention_mask", "token_type_ids"]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about constant shapes
            torch.onnx.export(
                _Hidden(model), (sample, sample, torch.zeros_like(sample)), str(partial),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={**{n: axes for n in names}, "last_hidden_state": axes},
                opset_version=17, dynamo=False,
            )
        partial.replace(target)
    except Exception as exc:
        raise ModelError(f"Could not export the model at {model_path} to ONNX: {exc}") from exc
    log.info("ONNX export done in %.1f s", time.perf_counter() - started)
