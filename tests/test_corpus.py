"""The shipped corpus: the therapist's exact words, boilerplate dropped, a bank on every section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kapbot.corpus.markdown import NOT_COVERED
from kapbot.corpus.reader import load_corpus
from kapbot.errors import CorpusError

from .conftest import CORPUS, ROOT

SOURCE = ROOT.parent / "shared" / "source" / "practice-article.txt"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def test_shipped_corpus_loads_cleanly() -> None:
    corpus = load_corpus(CORPUS)
    assert corpus.problems == ()
    kinds = {d.kind for d in corpus.documents}
    assert {"article", "practice page", NOT_COVERED} <= kinds
    headings = [s.heading for s in corpus.sections if s.doc_kind == "article"]
    assert "What is ketamine integration?" in headings
    assert "Preparation" in headings


@pytest.mark.skipif(not SOURCE.is_file(), reason="the exported source page is not beside the repo")
def test_every_word_is_the_therapists() -> None:
    source = _flat(SOURCE.read_text(encoding="utf-8"))
    corpus = load_corpus(CORPUS)
    for section in corpus.sections:
        if section.doc_kind == NOT_COVERED:
            continue
        for paragraph in section.text.split("\n\n"):
            assert _flat(paragraph) in source, paragraph[:80]
        for heading in section.heading_path[1:]:
            assert heading in source


def test_boilerplate_is_gone_and_footer_facts_kept() -> None:
    corpus = load_corpus(CORPUS)
    everything = " ".join(s.text for s in corpus.sections)
    for junk in ("top of page", "bottom of page", "Comentarios", "Wix", "Facebook", "©"):
        assert junk not in everything
    about = [s for s in corpus.sections if s.doc_kind == "practice page"]
    assert len(about) == 1
    for fact in ("#150442", "Los Angeles", "throughout California", "adults"):
        assert fact in about[0].text


def test_every_answering_section_has_a_question_bank() -> None:
    for section in load_corpus(CORPUS).sections:
        assert len(section.questions) >= 5, section.id


def test_a_dropped_in_file_is_picked_up(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "fees.txt").write_text("Sessions are on a sliding scale.", encoding="utf-8")
    (folder / "broken.md").write_bytes(b"\xff\xfe\x00garbage")
    corpus = load_corpus(folder)
    assert [d.name for d in corpus.documents] == ["fees.txt"]
    assert corpus.sections[0].text == "Sessions are on a sliding scale."
    assert any(p.startswith("broken.md:1:") for p in corpus.problems)


def test_missing_or_empty_corpus_says_the_fix(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="KAPBOT_CORPUS_DIR"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="no readable"):
        load_corpus(tmp_path)


def test_digest_changes_with_content(tiny_corpus: Path) -> None:
    before = load_corpus(tiny_corpus)
    (tiny_corpus / "about.md").write_text("# About\n\nNew text.\n", encoding="utf-8")
    after = load_corpus(tiny_corpus)
    assert before.digest != after.digest
    assert before.fingerprint({}, "m") != after.fingerprint({}, "m")
    assert after.fingerprint({"chunk_size": 1}, "m") != after.fingerprint({"chunk_size": 2}, "m")
