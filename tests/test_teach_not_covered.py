"""A not-covered line is tried before it is written (``kapbot teach --not-covered``): the bank
lines near it, left out of two copies of the corpus, and an eval file's answerable questions
are asked with and without it; a line that turns one of them refused is not written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapbot.bot import Bot
from kapbot.cli import main
from kapbot.corpus.reader import load_corpus
from kapbot.errors import KapbotError
from kapbot.settings import Settings
from kapbot.workbench import notcovered
from tests.conftest import FakeEmbedder

NOT_COVERED = """---
title: Questions the writing does not cover
kind: not-covered
---

<!-- questions
- Do you sell seeds?
- How much is the club fee?
-->
"""


@pytest.fixture
def with_list(tiny_settings: Settings) -> Settings:
    (tiny_settings.corpus_dir / "not-covered.md").write_text(NOT_COVERED, encoding="utf-8")
    return tiny_settings


def _bots(embedder: FakeEmbedder):  # type: ignore[no-untyped-def]
    return lambda settings: Bot(settings, embedder=embedder)


def _not_covered(settings: Settings) -> tuple[str, ...]:
    return next(s.questions for s in load_corpus(settings.corpus_dir).sections
                if s.id == "not-covered.md#intro")


def test_a_line_that_would_refuse_a_question_the_writing_answers_is_not_written(
        with_list: Settings, fake_embedder: FakeEmbedder) -> None:
    before = (with_list.corpus_dir / "not-covered.md").read_bytes()
    trial = notcovered.try_not_covered(with_list, "how often should I water my plants daily",
                                       _bots(fake_embedder))
    assert trial.newly_refused == ("How often should I water my plants?",)
    assert trial.taught is None
    assert (with_list.corpus_dir / "not-covered.md").read_bytes() == before  # nothing written
    assert trial.render().splitlines() == [
        "Tried 'how often should I water my plants daily' as not covered: asked 1 of your "
        "questions (the bank lines near it, left out, and your eval files' answerable ones) "
        f"before and after ({trial.answered_before} answered before).",
        "With it, 1 of them would be refused:",
        "  - How often should I water my plants?",
        "Not written. Add only what your pages really do not say; reword the line, or write "
        "the answer on a page. To add it all the same: --anyway."]
    anyway = notcovered.try_not_covered(with_list, "how often should I water my plants daily",
                                        _bots(fake_embedder), anyway=True)
    assert anyway.taught is not None and anyway.taught.diff
    assert _not_covered(with_list)[-1] == "how often should I water my plants daily"


def test_a_line_the_writing_does_not_answer_is_written(
        with_list: Settings, fake_embedder: FakeEmbedder, tmp_path: Path) -> None:
    evals = ["When should I prune roses?", "When does the club meet?"]
    trial = notcovered.try_not_covered(with_list, "Do you sell garden gloves?",
                                       _bots(fake_embedder), evals)
    assert trial.asked == 3 and trial.newly_refused == ()  # the nearest bank line, 2 eval ones
    assert trial.taught is not None
    assert "+- Do you sell garden gloves?" in trial.taught.diff.splitlines()
    assert _not_covered(with_list) == ("Do you sell seeds?", "How much is the club fee?",
                                       "Do you sell garden gloves?")
    assert "None of them would be refused with it." in trial.render()
    again = notcovered.try_not_covered(with_list, "do you sell GARDEN gloves?",
                                       _bots(fake_embedder))  # not tried again: already there
    assert (again.asked, again.render()) == (
        0, f"Already in {with_list.corpus_dir / 'not-covered.md'}: nothing changed.")


def test_the_nearest_bank_lines_are_left_out_of_a_copy(
        with_list: Settings, fake_embedder: FakeEmbedder, tmp_path: Path) -> None:
    bot = Bot(with_list, embedder=fake_embedder)
    assert notcovered.nearest_bank_lines(bot, with_list.corpus_dir, "water every day", 1) == [
        "is watering every day bad"]
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in with_list.corpus_dir.iterdir():
        copy.joinpath(path.name).write_bytes(path.read_bytes())
    notcovered.without_bank_lines(copy, ["is watering every day bad", "Water deeply twice a "
                                         "week. Shallow watering makes roots lazy."])
    watering = next(s for s in load_corpus(copy).sections if s.id == "garden.md#watering")
    assert watering.questions == ("How often should I water my plants?",)
    assert "Water deeply twice a week. Shallow watering makes roots lazy." in watering.text


def test_without_a_not_covered_list_the_error_says_how_to_make_one(
        tiny_settings: Settings, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(KapbotError, match=r"make `not-covered\.md` with the front matter"):
        notcovered.try_not_covered(tiny_settings, "Do you sell seeds?", _bots(fake_embedder))
    with pytest.raises(KapbotError, match="The question is empty"):
        notcovered.try_not_covered(tiny_settings, "  <!-- -->", _bots(fake_embedder))


def test_a_missing_eval_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    toml = tmp_path / "kapbot.toml"
    toml.write_text(f'corpus_dir = "{tmp_path}"\n', encoding="utf-8")
    assert main(["--config", str(toml), "teach", "--not-covered", "Do you sell seeds?",
                 "--eval", str(tmp_path / "mine.jsonl")]) == 2
    assert f"No eval file {tmp_path / 'mine.jsonl'}: give the path of a question file" in \
        capsys.readouterr().err
