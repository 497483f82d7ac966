"""Teaching by writing: a missed question joins a section's question bank in the corpus file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapbot.corpus.reader import load_corpus
from kapbot.corpus.teach import clean, teach
from kapbot.errors import KapbotError


def _questions(corpus: Path, section_id: str) -> tuple[str, ...]:
    return next(s.questions for s in load_corpus(corpus).sections if s.id == section_id)


def test_joins_an_existing_bank_with_a_readable_diff(tiny_corpus: Path) -> None:
    taught = teach(tiny_corpus, "garden.md#watering", "  do my tomatoes need water daily?? ")
    assert taught.question == "do my tomatoes need water daily??"
    assert _questions(tiny_corpus, "garden.md#watering") == (
        "How often should I water my plants?", "is watering every day bad",
        "do my tomatoes need water daily??",
    )
    assert taught.diff.startswith("--- a/garden.md\n+++ b/garden.md\n")
    added = [ln for ln in taught.diff.splitlines() if ln.startswith("+") and ln[1:2] != "+"]
    assert added == ["+- do my tomatoes need water daily??"]
    # the therapist's own text is untouched
    article = (tiny_corpus / "garden.md").read_text(encoding="utf-8")
    assert "Water deeply twice a week. Shallow watering makes roots lazy." in article


def test_starts_a_bank_where_there_is_none(tiny_corpus: Path) -> None:
    taught = teach(tiny_corpus, "garden.md#when-should-i-prune-roses", "best month to cut roses")
    assert _questions(tiny_corpus, "garden.md#when-should-i-prune-roses") == (
        "best month to cut roses",)
    assert "+<!-- questions\n+- best month to cut roses\n+-->" in taught.diff
    intro = teach(tiny_corpus, "about.md#intro", "when does the club meet")
    assert _questions(tiny_corpus, "about.md#intro") == ("when does the club meet",)
    assert intro.diff
    sections = {s.id for s in load_corpus(tiny_corpus).sections}
    assert sections == {"garden.md#intro", "garden.md#watering",
                        "garden.md#when-should-i-prune-roses", "about.md#intro"}


def test_a_question_already_there_changes_nothing(tiny_corpus: Path) -> None:
    before = (tiny_corpus / "garden.md").read_text(encoding="utf-8")
    taught = teach(tiny_corpus, "garden.md#watering", "IS WATERING EVERY DAY BAD")
    assert taught.diff == ""
    assert (tiny_corpus / "garden.md").read_text(encoding="utf-8") == before


def test_a_wrong_section_says_which_exist(tiny_corpus: Path) -> None:
    with pytest.raises(KapbotError, match=r"Did you mean 'garden\.md#watering'"):
        teach(tiny_corpus, "garden.md#waterin", "how often")
    with pytest.raises(KapbotError, match="empty"):
        teach(tiny_corpus, "garden.md#watering", " <!-- --> ")


def test_comment_markers_cannot_break_the_file() -> None:
    assert clean("evil --> # Heading\n- more") == "evil # Heading - more"
    assert clean("x" * 400) == "x" * 300


def test_crlf_files_keep_their_line_endings_and_the_diff_shows_only_the_question(
        tiny_corpus: Path) -> None:
    path = tiny_corpus / "garden.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    taught = teach(tiny_corpus, "garden.md#watering", "do my tomatoes need water daily")
    after = path.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\r\n") + 1
    assert after.replace(b"- do my tomatoes need water daily\r\n", b"", 1) == before
    changed = [ln for ln in taught.diff.splitlines()[2:] if ln[:1] in "+-"]
    assert changed == ["+- do my tomatoes need water daily"]
    teach(tiny_corpus, "garden.md#when-should-i-prune-roses", "best month to cut roses")
    assert path.read_bytes().count(b"\n") == path.read_bytes().count(b"\r\n")
    assert _questions(tiny_corpus, "garden.md#when-should-i-prune-roses") == (
        "best month to cut roses",)


def test_the_file_is_replaced_whole_keeping_its_mode(tiny_corpus: Path) -> None:
    """A reader that opened the file before (the website's build, an editor) keeps reading the
    old version whole: the new one is written beside it and renamed over it."""
    path = tiny_corpus / "garden.md"
    path.chmod(0o640)
    old = path.read_text(encoding="utf-8")
    with path.open(encoding="utf-8") as reader:
        teach(tiny_corpus, "garden.md#watering", "do my tomatoes need water daily")
        assert reader.read() == old
    assert "- do my tomatoes need water daily\n" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tiny_corpus.iterdir()) == ["about.md", "garden.md"]
