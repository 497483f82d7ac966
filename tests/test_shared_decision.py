"""The shared answer decision: its inputs, the shipped file, and where the bot uses it (a
practice's pages alone) and where it does not (a corpus with its question bank)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kapbot.bot import Bot
from kapbot.models import RankedSection, Section
from kapbot.ranking.fusion import Ranking
from kapbot.ranking.shared_decision import (
    DECISION_FILE,
    FEATURES,
    DecisionInputs,
    SharedDecision,
    load_shared_decision,
)
from kapbot.settings import Settings, load

from .conftest import EVALS
from .prepare import pages_alone_site

TRAINING = EVALS / "shared-decision"


def _ranked(heading: str, score: float, **signals: float) -> RankedSection:
    section = Section(f"p.md#{heading.lower()}", "p.md", "Page", ("Page", heading), "Text.")
    return RankedSection(section, score, dict(signals))


def test_the_inputs_are_read_from_the_first_section_and_its_lead() -> None:
    ranking = Ranking((_ranked("Fees", 2.5, a=0.6, s=0.5, p=0.4, l=0.3, r=0.5),
                       _ranked("Hours", 1.75, a=0.2)),
                      not_covered=0.7, not_covered_probability=0.5)
    inputs = DecisionInputs.of(ranking)
    assert inputs == DecisionInputs(0.6, 0.5, 0.4, 0.3, 0.0, 0.75, 0.0, 0.7)
    assert inputs.row() == [0.6, 0.5, 0.4, 0.3, 0.0, 0.75, 0.0, 0.7]
    alone = DecisionInputs.of(Ranking((_ranked("Fees", 1.0, s=0.5),)))
    assert alone.lead == 1.0 and alone.adapted == 0.0
    assert DecisionInputs.of(Ranking(())).sentence == 0.0


def test_the_probability_is_the_logistic_of_the_weighted_inputs() -> None:
    decision = SharedDecision((1.0,) + (0.0,) * (len(FEATURES) - 1), -0.5, 10)
    inputs = DecisionInputs(0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert decision.probability(inputs) == pytest.approx(0.5)
    assert decision.probability(DecisionInputs(9e9, 0, 0, 0, 0, 0, 0, 0)) == pytest.approx(1.0)


def test_the_shipped_decision_loads_and_counts_its_training_questions() -> None:
    decision = load_shared_decision()
    assert decision is not None and len(decision.weights) == len(FEATURES)
    lines = [line for path in sorted(TRAINING.glob("p*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert decision.examples == len(lines) > 400
    # an answerable question's section is an exact heading of its practice's pages
    for path in sorted(TRAINING.glob("p*.jsonl")):
        pages = EVALS / "practices" / path.stem / "pages"
        headings = {line[3:].strip() for page in pages.glob("*.md")
                    for line in page.read_text(encoding="utf-8").splitlines()
                    if line.startswith("## ")}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["expect"] in ("answer", "not_covered")
            assert row["expect"] == "not_covered" or row["section"] in headings, row


def test_a_missing_or_mismatched_file_gives_none(tmp_path: Path) -> None:
    assert load_shared_decision(tmp_path / "absent.json") is None
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"features": ["sentence"], "weights": [1.0], "bias": 0.0,
                                 "examples": 1}))
    assert load_shared_decision(other) is None
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert load_shared_decision(broken) is None
    saved = tmp_path / "saved.json"
    SharedDecision((0.5,) * len(FEATURES), 0.25, 7).save(saved)
    assert load_shared_decision(saved) == SharedDecision((0.5,) * len(FEATURES), 0.25, 7)
    assert DECISION_FILE.exists()


@pytest.mark.model
def test_a_practices_pages_alone_are_decided_by_the_shared_decision(
    tmp_path: Path, real_settings: Settings, real_bot: Bot
) -> None:
    """A development practice's pages with the starter not-covered examples: every ranking's
    answer probability is the shared decision's. The corpus with its bank keeps its own."""
    shared = load_shared_decision()
    assert shared is not None
    practice = EVALS / "dev-practices" / "d1"
    # as tests/prepare.py made it, so its classifier, vectors and rankers are found cached
    bot = Bot(load(pages_alone_site(tmp_path), environ={}, cache_dir=real_settings.cache_dir,
                   record_gaps=False))
    bot.prepare()
    questions = [json.loads(line)["question"] for line in
                 (practice / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:10]]
    for question in questions:
        ranking = bot.retrieve(question)[0]
        assert ranking.answer_probability == pytest.approx(
            shared.probability(DecisionInputs.of(ranking)), abs=1e-4), question
    banked = [real_bot.retrieve(q)[0] for q in questions]
    assert any(abs(r.answer_probability - shared.probability(DecisionInputs.of(r))) > 0.01
               for r in banked)


def test_odds_are_finite_at_the_edges() -> None:
    from kapbot.odds import logistic, logit

    assert logistic(0.0) == 0.5 and logistic(1e9) == pytest.approx(1.0)
    assert logistic(-1e9) == pytest.approx(0.0, abs=1e-12)
    assert logit(0.5) == 0.0 and logit(0.0) == logit(1e-4)
    assert logit(1.0) == pytest.approx(-logit(0.0))
    assert logistic(logit(0.2)) == pytest.approx(0.2)
