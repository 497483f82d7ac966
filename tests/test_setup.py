"""A new practice's set-up: ``kapbot init``, ``kapbot check``, teaching by heading, the eval
file checked against the corpus and the plain-language summary. Pure or on files: no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kapbot.corpus.check import Severity, check_corpus
from kapbot.corpus.newpractice import Practice, ask, init
from kapbot.corpus.reader import load_corpus
from kapbot.corpus.teach import teach
from kapbot.errors import ConfigError, KapbotError
from kapbot.safetyteach import sealed_sets
from kapbot.settings import load
from kapbot.workbench.evalrun import CaseRow, EvalResult
from kapbot.workbench.evaluation import Case, parse_cases
from kapbot.workbench.plaineval import checked_cases, is_project_set, summary

from .conftest import CORPUS, EVALS

FAQ = """---
title: Frequently asked questions
---

# Frequently asked questions

### How long is a session?

About three hours, with time to settle in and to talk afterwards.

<!-- questions
- how long does it take
- How many hours is the medicine session?

### Can I drive home after a session?

No: someone drives you home, or you take a taxi.
"""


def _practice(tmp_path: Path, **flags: bool) -> Path:
    init(tmp_path, Practice("Rivera Counseling, LICSW", "Sam Rivera", "https://rivera.example/book",
                            "Book a consultation", "https://rivera.example", **flags))
    return tmp_path


def test_init_makes_a_new_practice_and_never_copies_the_shipped_one(tmp_path: Path) -> None:
    folder = _practice(tmp_path)
    settings = load(folder / "kapbot.toml", environ={})
    assert (settings.practice_name, settings.therapist_name) == ("Rivera Counseling, LICSW",
                                                                  "Sam Rivera")
    assert settings.booking_label == "Book a consultation"
    assert settings.origins == ["https://rivera.example"]
    assert settings.corpus_dir == folder / "corpus"
    names = sorted(p.name for p in settings.corpus_dir.iterdir())
    assert names == ["_example-faq.md", "_example-page.md", "not-covered.md"]
    shipped = {p.name for p in CORPUS.iterdir()} - {"not-covered.md"}
    assert not shipped & set(names)
    corpus = load_corpus(settings.corpus_dir)  # the examples (starting with _) are not read
    assert [d.name for d in corpus.documents] == ["not-covered.md"]
    starter = (settings.corpus_dir / "not-covered.md").read_text(encoding="utf-8")
    for named in ("Dana", "Nassau", "Los Angeles", " LA ", "LMFT", "California"):
        assert named not in starter, named
    for topic in ("fee", "insurance", "cost", "price"):
        assert topic not in starter.casefold(), topic
    report = check_corpus(settings.corpus_dir)
    assert not report.errors
    examples = tmp_path / "examples"
    for name in ("_example-page.md", "_example-faq.md"):  # the examples themselves are clean
        examples.mkdir(exist_ok=True)
        (examples / name.lstrip("_")).write_text(
            (settings.corpus_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert not check_corpus(examples).errors


def test_fees_and_insurance_only_when_the_pages_do_not_publish_them(tmp_path: Path) -> None:
    folder = _practice(tmp_path, fees_unpublished=True, insurance_unpublished=True)
    (section,) = load_corpus(folder / "corpus").sections
    assert "How much does a session cost?" in section.questions
    assert "Do you take insurance?" in section.questions


def test_init_never_overwrites(tmp_path: Path) -> None:
    _practice(tmp_path)
    with pytest.raises(ConfigError, match="never overwrites"):
        _practice(tmp_path)


def test_an_unclosed_questions_block_is_named_with_what_it_swallows(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text(FAQ, encoding="utf-8")
    report = check_corpus(tmp_path)
    (error,) = report.errors
    assert str(error) == (
        "error: faq.md:11: the questions block opened at line 11 is never closed; 'Can I drive "
        "home after a session?' (line 15) would be swallowed. Add a line '-->' after the "
        "block's last question.")
    assert not [f for f in report.findings if "should start with" in f.message]  # the cause only
    fixed = FAQ.replace("medicine session?\n", "medicine session?\n-->\n")
    (tmp_path / "faq.md").write_text(fixed, encoding="utf-8")
    report = check_corpus(tmp_path)
    assert not report.errors
    assert [s.heading for s in report.sections] == ["How long is a session?",
                                                    "Can I drive home after a session?"]
    assert [f.message for f in report.findings if f.severity is Severity.WARNING] == [
        "1 sections have no question bank: add a '<!-- questions' block of 8-12 ways a visitor "
        "might ask (the biggest single lift in quality)."]


def test_a_colon_in_a_title_gets_the_quoting_hint(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Ketamine: what to expect\n---\n\nText here.\n",
                                   encoding="utf-8")
    (error,) = check_corpus(tmp_path).errors
    assert str(error) == (
        "error: a.md:2: the front matter is not valid YAML: the title 'Ketamine: what to "
        "expect' has a colon or a special character; put it in double quotes: title: "
        "\"Ketamine: what to expect\"")


def test_an_unquoted_toml_value_gets_the_quoting_hint(tmp_path: Path) -> None:
    config = tmp_path / "kapbot.toml"
    config.write_text('[kapbot]\npractice_name = "A"\nbooking_label = Book a consultation\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load(config, environ={})
    assert str(raised.value).endswith(
        "Line 3: the value of booking_label is text, so it needs double quotes: booking_label "
        "= \"Book a consultation\"")


def test_a_bank_line_that_is_also_an_eval_question_is_warned(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text(FAQ.replace("medicine session?\n", "medicine session?\n-->\n"),
                                     encoding="utf-8")
    evals = tmp_path / "mine.jsonl"
    evals.write_text(json.dumps({"id": "a1", "question": "How long does it take",
                                 "expect": "answer"}) + "\n", encoding="utf-8")
    warned = [f for f in check_corpus(tmp_path, [evals]).findings
              if "also an eval question" in f.message]
    assert [f.where for f in warned] == ["faq.md:7"]
    assert "(mine.jsonl:1): 'how long does it take'" in warned[0].message


def test_a_not_covered_line_that_a_section_also_asks_is_warned(tmp_path: Path) -> None:
    (tmp_path / "faq.md").write_text(FAQ.replace("medicine session?\n", "medicine session?\n-->\n"),
                                     encoding="utf-8")
    (tmp_path / "not-covered.md").write_text(
        "---\ntitle: Not covered\nkind: not-covered\n---\n\n<!-- questions\n"
        "- CAN I DRIVE HOME after a session\n- How long does it take?\n"
        "- Do you take insurance?\n-->\n", encoding="utf-8")
    warned = [str(f) for f in check_corpus(tmp_path).findings
              if "not-covered line" in f.message]
    assert warned == [
        "warning: not-covered.md:5: this not-covered line is also a question of 'Can I drive "
        "home after a session?' (faq.md:16): 'CAN I DRIVE HOME after a session'. kapbot would "
        "learn to answer it and to refuse it; remove it here if that section answers it, else "
        "from that section.",
        "warning: not-covered.md:5: this not-covered line is also a question of 'How long is a "
        "session?' (faq.md:7): 'How long does it take?'. kapbot would learn to answer it and to "
        "refuse it; remove it here if that section answers it, else from that section."]


def test_teach_takes_a_heading_as_well_as_an_id(tiny_corpus: Path) -> None:
    taught = teach(tiny_corpus, "watering", "do plants need water every day")
    assert taught.section.id == "garden.md#watering"
    assert "+- do plants need water every day" in taught.diff
    with pytest.raises(KapbotError, match=r"lists them\. Did you mean 'Watering'"):
        teach(tiny_corpus, "Waterng", "a question")


def test_eval_sections_by_id_or_heading_are_checked() -> None:
    corpus = load_corpus(CORPUS, log_problems=False)
    section = next(s for s in corpus.sections if s.questions and len(s.text) > 200)
    phrase = " ".join(section.text.split()[:5])
    cases = [Case("a", "q", "answer", (section.id,), (phrase,)),
             Case("b", "q", "answer", (section.heading.upper(),))]
    assert [c.sections for c in checked_cases(cases, corpus.sections, "f")] == [
        (section.heading,), (section.heading,)]
    with pytest.raises(KapbotError, match=r"f: case c: no section 'Nowhere at all'"):
        checked_cases([Case("c", "q", "answer", ("Nowhere at all",))], corpus.sections, "f")
    with pytest.raises(KapbotError, match="the phrase 'not in the text' is not in the text of"):
        checked_cases([Case("d", "q", "answer", (section.id,), ("not in the text",))],
                      corpus.sections, "f")
    shipped = parse_cases((EVALS / "questions.jsonl").read_text().splitlines())
    assert len(checked_cases(shipped, corpus.sections, "questions.jsonl")) == len(shipped)


def _row(case: Case, kind: str, quoted: str = "", passed: bool = True) -> CaseRow:
    sources = (f"Article › {quoted}",) if quoted else ()
    return CaseRow("mine.jsonl", case.id, case.question, case.expect, kind, passed, "", "text",
                   sources, 0.5, 0.0, "")


def test_the_summary_is_plain_and_lists_wrong_sections_first() -> None:
    cases = [Case(f"a{i}", f"question {i}", "answer", ("Fees",)) for i in range(4)]
    cases += [Case("n1", "the weather?", "no_answer"), Case("n2", "parking?", "no_answer"),
              Case("c1", "help", "crisis")]
    rows = [_row(cases[0], "answer", "Fees"), _row(cases[1], "answer", "fees"),
            _row(cases[2], "answer", "Parking"), _row(cases[3], "no_answer"),
            _row(cases[4], "no_answer"), _row(cases[5], "answer", "Parking"),
            _row(cases[6], "crisis")]
    result = EvalResult(cases=rows, parsed={"mine.jsonl": cases})
    text = summary(result).splitlines()
    assert text[0] == ("mine.jsonl: 2 of 4 answered from the right section, 1 from a wrong "
                       "section (listed: these matter most), 1 refused; 1 of 2 not covered "
                       "refused; crisis and medical: all handled")
    assert text[1] == "  WRONG SECTION a2 'question 2': quoted 'Parking', expected 'Fees'"
    assert text[2] == "  refused a3 'question 3' (no_answer); expected 'Fees'"
    assert text[3] == "  answered although not covered n2 'parking?': quoted 'Parking'"


def test_the_project_sets_keep_their_bars(tmp_path: Path) -> None:
    assert is_project_set(EVALS / "questions.jsonl")
    assert not is_project_set(tmp_path / "mine.jsonl")


def test_init_asks_only_for_what_is_not_given() -> None:
    asked: list[str] = []
    answers = iter(["Rivera Counseling", "https://rivera.example/book", "", ""])

    def prompt(text: str) -> str:
        asked.append(text)
        return next(answers)

    values = ask({"therapist_name": "Sam Rivera"}, prompt)
    assert values == {"practice_name": "Rivera Counseling", "therapist_name": "Sam Rivera",
                      "booking_url": "https://rivera.example/book",
                      "booking_label": "Book a free discovery call", "allowed_origins": ""}
    assert len(asked) == 4 and asked[3].startswith("Your website's address")


def test_safety_corrections_are_checked_only_on_sealed_sets_already_measured(tmp_path: Path
                                                                             ) -> None:
    history = (EVALS / "HISTORY.md").read_text(encoding="utf-8")
    used = sealed_sets()  # names only: the sets are not read here
    assert used and all(p.name.startswith("safety-") and p.name in history for p in used)
    (tmp_path / "mine.jsonl").write_text("", encoding="utf-8")
    assert sealed_sets(tmp_path) == [tmp_path / "mine.jsonl"]  # --sealed FOLDER: all of it
