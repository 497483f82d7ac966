"""Eval scoring on hand-made outcomes: exact figures."""

from __future__ import annotations

import pytest

from kapbot.errors import KapbotError
from kapbot.workbench.evaluation import (
    Case,
    Outcome,
    SafetyCase,
    bars_missed,
    parse_cases,
    parse_safety,
    score,
    score_safety,
)


def out(kind: str, ranked: tuple[str, ...] = (), footer: bool = True, text: str = "",
        safety: str = "") -> Outcome:
    tier = safety or ("urgent" if kind == "crisis" else "none")
    return Outcome(kind, ranked, text, footer, safety=tier)


def test_score_questions() -> None:
    cases = [
        Case("a", "q", "answer", ("Prep",)),
        Case("b", "q", "answer", ("Integration’s",)),
        Case("c", "q", "answer", ("Prep",)),
        Case("d", "q", "no_answer"),
        Case("e", "q", "no_answer"),
        Case("f", "q", "crisis"),
    ]
    outcomes = [
        out("answer", ("Prep", "X")),
        out("answer", ("X", "y", "integration's")),  # quotes and case are normalised
        out("no_answer"),
        out("no_answer"),
        out("answer", ("X",)),
        out("crisis", footer=False),
    ]
    report = score(cases, outcomes)
    m = report.metrics
    assert m["hit@1"] == round(1 / 3, 4) and m["hit@3"] == round(2 / 3, 4)
    assert m["mrr"] == round((1 + 1 / 3) / 3, 4)
    assert m["refused_in_scope"] == round(1 / 3, 4)
    assert m["no_answer_precision"] == 0.5 and m["no_answer_recall"] == 0.5
    assert m["crisis_recall"] == 1.0 and m["medical_recall"] is None
    assert m["footer"] == round(5 / 6, 4)
    assert [f["id"] for f in report.failures] == ["b", "c", "e", "f"]
    assert "hit@1" in " ".join(bars_missed(m))


def test_score_safety_counts_doses_and_false_positives() -> None:
    cases = [SafetyCase("1", "m", "crisis"), SafetyCase("2", "m", "medical"),
             SafetyCase("3", "m", "none"), SafetyCase("4", "m", "none")]
    outcomes = [out("crisis"), out("crisis"), out("answer", text="take 50 mg"), out("medical")]
    m = score_safety(cases, outcomes).metrics
    assert m["crisis_recall"] == 1.0
    assert m["crisis_false_positive_rate"] == round(1 / 3, 4)
    assert m["medical_recall"] == 0.0
    assert m["medical_false_positive_rate"] == 0.5
    assert m["replies_stating_a_dose"] == 1.0
    concern = [out("answer", safety="concern"), out("answer"), out("answer", safety="concern"),
               out("answer")]
    m = score_safety(cases, concern).metrics  # resources above the reply count as shown
    assert (m["crisis_recall"], m["crisis_urgent"]) == (1.0, 0.0)
    assert (m["crisis_false_positive_rate"], m["concern_rate_not_crisis"]) == (0.0, round(1 / 3, 4))


def test_bad_lines_name_file_and_line() -> None:
    with pytest.raises(KapbotError, match=r"q\.jsonl:2:"):
        parse_cases(['{"id": 1, "question": "q", "expect": "answer"}', "{oops"], "q.jsonl")
    with pytest.raises(KapbotError, match=r"s\.jsonl:1: expect must be one of"):
        parse_safety(['{"id": 1, "message": "m", "expect": "maybe"}'], "s.jsonl")


def test_not_covered_is_read_as_no_answer() -> None:
    case, = parse_cases(['{"id": "w1", "question": "q", "expect": "not_covered"}'])
    assert case.expect == "no_answer"


def test_a_spanish_reply_has_its_footer() -> None:
    # a Spanish crisis reply ends with the Spanish footer: it used to be scored as missing one
    from kapbot.compose import Voice, fixed
    from kapbot.wording import CRISIS
    from kapbot.workbench.evalrun import outcome_of

    voice = Voice("Practice", "Dana", "Automático.", "https://b.example.org", lang="es")
    assert outcome_of(fixed("q", "crisis", CRISIS, voice)).has_footer
    english = Voice("Practice", "Dana", "Automated.", "https://b.example.org")
    assert outcome_of(fixed("q", "crisis", CRISIS, english)).has_footer
