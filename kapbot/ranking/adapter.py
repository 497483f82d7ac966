"""The question adapter: one linear map that carries a question's MiniLM vector towards the
statements that answer such questions, learnt from other practices' writing.

A visitor asks ("what do you charge?"); a page states ("A medicine session is $450."). MiniLM
puts a question nearer to other questions than to the sentence that answers it, which is why a
practice without question banks was mostly refused or answered from a neighbouring section. The
map was trained on 20 practices' bank lines against their own pages (each line a question a
writer filed under the section that answers it), by ``evals/train_question_adapter.py``, which
reports how it does on practices it never saw (``evals/question-adapter.md``). It is the same for
every practice: nothing is trained on a practice's own pages, and nothing is downloaded.

The adapted question is compared with the index's passages and sentences only; the fused ranking
reads each section's best similarity as its signal ``a`` (``kapbot.ranking.fusion``). Answering
costs one 384 × 384 product and one search of the sentences and passages in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot import npzfile

ADAPTER_FILE = Path(__file__).with_name("data") / "question-adapter.npz"


@dataclass(frozen=True)
class QuestionAdapter:
    matrix: Any  # numpy (dims, dims) float32: a question's row vector times it
    digest: str  # which trained map this is (the report names it)

    def fits(self, vector: Sequence[float]) -> bool:
        """Whether ``vector`` has the map's dimensions (a test's small fake embedder has not)."""
        return len(vector) == int(self.matrix.shape[0])

    def adapt(self, vector: Sequence[float]) -> list[float]:
        """The adapted question vector, of unit length (the zero vector stays zero)."""
        import numpy as np

        adapted = np.asarray(vector, dtype=np.float32) @ self.matrix
        norm = float(np.linalg.norm(adapted))
        return (adapted / norm if norm > 0 else adapted).tolist()  # type: ignore[no-any-return]


def load_adapter(path: Path = ADAPTER_FILE) -> QuestionAdapter | None:
    """The shipped adapter, or None (the ranking goes without it) when the file is missing or
    unreadable."""
    saved = npzfile.load(path)
    if saved is None or saved["matrix"].ndim != 2:
        return None
    return QuestionAdapter(saved["matrix"], str(saved["fingerprint"]))
