"""The serving-path embedding helpers that need no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapbot.embeddings import OnnxEmbedder, VectorTable
from kapbot.errors import ModelError
from kapbot.safety import SemanticScreen, Vectors


def test_vector_table_matches_plain_python() -> None:
    rows = [[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]]
    table, plain = VectorTable(rows), Vectors(tuple(tuple(r) for r in rows))
    for vector in ([0.0, 0.8, 0.6], [1.0, 0.0, 0.0]):
        assert table.nearest(vector) == pytest.approx(plain.nearest(vector))
    assert table.similarities([0.0, 0.8, 0.6]) == pytest.approx([0.0, 0.96])
    empty = VectorTable([])
    assert (len(empty), empty.similarities([1.0]), empty.nearest([1.0])) == (0, [], 0.0)


def test_semantic_screen_reports_its_nearest_similarity() -> None:
    screen = SemanticScreen(VectorTable([[1.0, 0.0]]), VectorTable([[0.0, 1.0]]), 0.7, 0.05)
    assert screen.check([0.8, 0.6]).verdict == "crisis"
    calm = screen.check_all([[0.6, 0.8], [0.5, 0.866]])
    assert calm.verdict == "" and calm.similarity == pytest.approx(0.6)


def test_a_missing_model_folder_says_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="KAPBOT_MODEL_PATH"):
        OnnxEmbedder(tmp_path / "nowhere", cache_dir=tmp_path)
