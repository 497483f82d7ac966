"""The exact nearest units of one index version, searched in memory.

The index version's vectors are read from Chroma once, when the snapshot loads (the section
ranker needs them all anyway). A practice's corpus holds a few thousand units, so one matrix
product over all of them costs about 0.1 ms, where a Chroma query for the 1,000 nearest costs
about 2.7 ms (``benchmarks/results.md``), and the scan is exact where HNSW is approximate.
Chroma stays the index of record: it persists the vectors and answers when they could not be
read into memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kapbot.index.embeddings import VectorTable
from kapbot.models import Unit, UnitType


@dataclass(frozen=True)
class TypeRows:
    """One unit type's ids and unit-length vectors (float32, one row per id)."""

    ids: tuple[str, ...]
    matrix: Any


class NearestUnits:
    """Cosine similarity search over every unit of one index version, by unit type."""

    def __init__(self, units: Sequence[Unit], vectors: Mapping[str, Sequence[float]]) -> None:
        import numpy as np

        self._row: dict[str, tuple[UnitType, int]] = {}
        grouped: dict[UnitType, list[Unit]] = {}
        for unit in sorted(units, key=lambda u: u.id):
            if unit.id in vectors:
                grouped.setdefault(unit.type, []).append(unit)
        self._types: dict[UnitType, TypeRows] = {}
        for unit_type, members in grouped.items():
            matrix = np.asarray([vectors[u.id] for u in members], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix /= np.where(norms > 0, norms, 1.0)
            self._types[unit_type] = TypeRows(tuple(u.id for u in members), matrix)
            self._row.update((u.id, (unit_type, i)) for i, u in enumerate(members))

    def __len__(self) -> int:
        return len(self._row)

    def nearest(self, vector: Sequence[float], unit_type: UnitType, k: int
                ) -> list[tuple[str, float]]:
        """The ids and cosine similarities of the ``k`` units of ``unit_type`` nearest to
        ``vector``, most similar first (ties by id, so the order never depends on the run)."""
        import numpy as np

        rows = self._types.get(unit_type)
        if rows is None or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        sims = rows.matrix @ (query / norm if norm > 0 else query)
        if k < len(sims):
            top = np.argpartition(-sims, k - 1)[:k]
            cut = sims[top].min()
            top = np.flatnonzero(sims >= cut)  # every unit tied with the k-th stays in the race
        else:
            top = np.arange(len(sims))
        order = sorted(top.tolist(), key=lambda i: (-float(sims[i]), i))[:k]
        return [(rows.ids[i], float(sims[i])) for i in order]

    def table(self, ids: Sequence[str]) -> tuple[list[str], VectorTable]:
        """The ids among ``ids`` this search holds, and their unit vectors, in that order."""
        kept = [i for i in ids if i in self._row]
        places = [self._row[i] for i in kept]
        return kept, VectorTable([self._types[t].matrix[r] for t, r in places])
