"""The question adapter: the shipped map, its place in the fused ranking, and what it does on
practices it never learnt from."""

from __future__ import annotations

import json

import pytest

from kapbot.bot import Bot
from kapbot.corpus.chunking import chunk_sections
from kapbot.corpus.reader import load_corpus
from kapbot.models import Section, Unit
from kapbot.ranking.adapter import ADAPTER_FILE, QuestionAdapter, load_adapter
from kapbot.ranking.fusion import Weights, rank

from .conftest import EVALS

DEV_PRACTICES = sorted((EVALS / "dev-practices").glob("d*"))


def test_the_shipped_adapter_loads_and_names_what_it_learnt_from() -> None:
    adapter = load_adapter()
    assert adapter is not None and adapter.matrix.shape == (384, 384)
    assert len(adapter.digest) == 16
    import numpy as np

    sources = [str(s) for s in np.load(ADAPTER_FILE)["sources"]]
    assert "corpus" in sources and len(sources) >= 10
    # never a development practice (their figures show transfer), nor a practice whose first
    # look is not yet recorded (it would have been measured on what the adapter learnt from it)
    assert not any("dev-practices" in s for s in sources)
    history = (EVALS / "HISTORY.md").read_text(encoding="utf-8")
    for source in sources:
        if source.startswith("evals/practices/"):
            name = source.split("/")[2]
            assert f"`evals/sealed/new-practice-{name}.jsonl`" in history, source
    lines = ADAPTER_FILE.with_name("question-adapter-lines.txt").read_text().splitlines()
    assert len(lines) > 3000 and len(set(lines)) == len(lines)


def test_adapt_gives_a_unit_vector_and_fits_only_its_own_dimensions() -> None:
    import numpy as np

    adapter = QuestionAdapter(np.diag([2.0, 1.0, 1.0]).astype(np.float32), "test")
    assert adapter.adapt([1.0, 1.0, 0.0]) == pytest.approx([2 / 5 ** 0.5, 1 / 5 ** 0.5, 0.0])
    assert adapter.adapt([0.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]
    assert adapter.fits([0.0] * 3) and not adapter.fits([0.0] * 64)


def test_load_adapter_gives_none_for_a_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_adapter(tmp_path / "absent.npz") is None


def _section(sid: str, heading: str) -> Section:
    return Section(sid, "p.md", "Page", ("Page", heading), f"{heading} text.")


def test_the_adapted_signal_is_weighted_into_the_fused_score_and_finds_sections() -> None:
    fees, hours = _section("p.md#fees", "Fees"), _section("p.md#hours", "Hours")
    sections = {s.id: s for s in (fees, hours)}
    hits = [(Unit("h-s1", "sentence", hours.id, "We open at nine.", "We open at nine."), 0.6)]
    plain = rank(hits, {}, sections, Weights(adapted=0.0), adapted={fees.id: 0.5})
    assert plain.top is not None and plain.top.section.id == hours.id
    found = rank(hits, {}, sections, Weights(adapted=2.0), adapted={fees.id: 0.5})
    assert [r.section.id for r in found.sections] == [fees.id, hours.id]
    assert found.sections[0].signals["a"] == 0.5 and found.sections[1].signals["a"] == 0.0
    # "did you mean" compares the scores without the adapter's term
    assert found.closeness(found.sections[0]) == pytest.approx(found.sections[0].score - 1.0)
    assert found.closeness(found.sections[1]) == found.sections[1].score
    without = rank(hits, {}, sections, Weights(adapted=2.0))
    assert "a" not in without.sections[0].signals and len(without.sections) == 1


@pytest.mark.model
def test_on_practices_it_never_saw_the_adapter_puts_the_right_section_first_more_often(
    real_bot: Bot,
) -> None:
    """The four development practices' questions against their own pages (no bank): MiniLM's
    best passage or sentence, raw and adapted (evals/question-adapter.md: 67 → 88 of 120)."""
    import numpy as np

    adapter = load_adapter()
    assert adapter is not None
    embed = real_bot.embedder.embed  # the ONNX copy of MiniLM, as questions are embedded
    raw_right = adapted_right = asked = 0
    for practice in DEV_PRACTICES:
        sections = [s for s in load_corpus(practice / "pages", log_problems=False).sections
                    if s.text.strip()]
        units = [u for u in chunk_sections(sections) if u.type in ("passage", "sentence")]
        table = np.asarray(embed([u.text for u in units]), dtype=np.float32)
        table /= np.linalg.norm(table, axis=1, keepdims=True)
        rows = [json.loads(line) for line in (practice / "questions.jsonl").read_text()
                .splitlines() if line.strip()]
        rows = [r for r in rows if r["expect"] == "answer"]
        vectors = embed([r["question"] for r in rows])
        for row, vector in zip(rows, vectors, strict=True):
            right = {s.id for s in sections if s.heading in row["sections"]}
            for query, counter in ((vector, "raw"), (adapter.adapt(vector), "adapted")):
                sims = table @ np.asarray(query, dtype=np.float32)
                first = units[int(np.argmax(sims))].section_id
                if first in right:
                    if counter == "raw":
                        raw_right += 1
                    else:
                        adapted_right += 1
            asked += 1
    assert asked == 120
    assert adapted_right >= raw_right + 12, (raw_right, adapted_right)
