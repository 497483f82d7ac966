"""Review mode's explanation of a reply, and the gaps log behind `kapbot report`."""

from __future__ import annotations

from pathlib import Path

from kapbot.bot import Bot
from kapbot.settings import Settings
from kapbot.storage.gaps import GapLog
from kapbot.workbench.gapreport import render_report
from kapbot.workbench.review import decided_by, explain

from .conftest import FakeEmbedder


def test_explain_shows_kind_decision_and_scores(tiny_bot: Bot) -> None:
    settings = tiny_bot.settings
    answer = tiny_bot.ask("How often should I water my plants?")
    text = explain(answer, settings)
    assert text.startswith("**How often should I water my plants?**")
    assert "- **Kind:** `answer` (quoted the writing)" in text
    assert "- **Decided by:** retrieval: answered: " in text and "threshold 0.300" in text
    assert "1. **Watering** — " in text and " ✔ quoted  \n   q " in text
    assert "`garden.md#watering`" in text
    assert "- **Safety:** `none` — none: rules only: no rule matched" in text
    assert "(urgent at crisis ≥ 1.00, concern at ≥ 1.00" in text
    crisis = tiny_bot.ask("I want to kill myself")
    assert decided_by(crisis, settings) == "safety screen: rule: stated-intent"
    missing = tiny_bot.ask("what is the capital of France")
    assert missing.kind == "no_answer"
    assert "- **Decided by:** retrieval: answer probability: " in explain(missing, settings)


def test_unanswered_questions_are_counted_by_topic_without_their_text(
    tiny_settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    (tiny_settings.corpus_dir / "not-covered.md").write_text(
        "---\nkind: not-covered\n---\n<!-- questions\n- how much does a membership cost\n-->\n",
        encoding="utf-8")
    bot = Bot(tiny_settings, embedder=fake_embedder)
    bot.prepare()
    # near-copies of the not-covered line: refused whatever the sections score
    for question in ("how much does the membership cost", "membership: how much does it cost?",
                     "what does a membership cost me"):
        assert bot.ask(question).kind == "no_answer"
    assert bot.ask("How often should I water my plants?").kind == "answer"  # not a gap
    assert bot.ask("I want to kill myself").kind == "crisis"  # not a gap either
    gaps = GapLog(tiny_settings.data_dir / "gaps.sqlite3")
    (top,) = gaps.top()
    assert (top.topic, top.no_answer, top.thumbs_down) == ("how much does a membership cost", 3, 0)
    gaps.record("down", "How often should I water my plants?", "garden.md#watering")
    stored = (tiny_settings.data_dir / "gaps.sqlite3").read_bytes()
    assert b"it cost" not in stored and b"cost me" not in stored  # visitors' words not kept
    report = render_report(tiny_settings)
    assert '1. 3 times (not covered: 3, thumbs-down: 0)' in report
    assert 'like: "how much does a membership cost"' in report
    assert "your writing does not cover this yet" in report
    assert "<the question>" not in report  # never a question it doesn't keep
    assert "its question bank has this line already" in report
    weak = render_report(tiny_settings, scorer=lambda topic, section: 0.12)
    assert ('near "Tending the Garden › Watering" (the ranker scores its text 0.12 for this line; '
            "answer_threshold 0.30): its text may not answer this.") in weak
    assert "kapbot teach" not in weak  # not to a section whose text doesn't answer
    gaps.record("down", "Watering", "garden.md#watering")  # a heading: not in the bank yet
    strong = render_report(tiny_settings, scorer=lambda topic, section: 0.8)
    assert 'kapbot teach "Watering" --section "garden.md#watering"' in strong


def test_gaps_are_off_when_asked(tiny_settings: Settings, fake_embedder: FakeEmbedder,
                                 tmp_path: Path) -> None:
    bot = Bot(tiny_settings.replace(record_gaps=False), embedder=fake_embedder)
    bot.prepare()
    assert bot.ask("what is the capital of France").kind == "no_answer"
    assert not (tiny_settings.data_dir / "gaps.sqlite3").exists()
    assert "Nothing recorded yet (record_gaps is off)." in render_report(
        tiny_settings.replace(record_gaps=False))
