"""The serving-path embedding helpers that need no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapbot.errors import ModelError
from kapbot.index.embeddings import OnnxEmbedder, VectorTable


def test_vector_table_matches_plain_python() -> None:
    rows = [[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]
    table = VectorTable(rows)
    for vector in ([0.0, 0.8, 0.6], [1.0, 0.0, 0.0]):
        plain = max(sum(a * b for a, b in zip(vector, row, strict=True)) for row in rows)
        assert table.nearest(vector) == pytest.approx(plain)
    assert table.similarities([0.0, 0.8, 0.6]) == pytest.approx([0.0, 0.96])
    empty = VectorTable([])
    assert (len(empty), empty.similarities([1.0]), empty.nearest([1.0])) == (0, [], 0.0)


def test_a_missing_model_folder_says_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="KAPBOT_MODEL_PATH"):
        OnnxEmbedder(tmp_path / "nowhere", cache_dir=tmp_path)
