"""evals/question_first_look.py: scoring a question set from a checkout's JSON replies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "evals"))
import question_first_look as look

TINY = ROOT / "tests" / "first_look"


def _reply(kind: str, section: str = "", text: str = "", offers: tuple[str, ...] = ()
           ) -> dict[str, object]:
    return {"kind": kind, "text": text, "sources": [{"section": section}] if section else [],
            "suggestions": [{"section": s, "title": "T", "question": "?"} for s in offers]}


def test_scores_from_the_json_replies_only() -> None:
    cases = [
        look.Case("a", "q", "answer", "Water deeply twice a week.", "Watering"),
        look.Case("b", "q", "answer", "Prune in winter.", "Pruning"),
        look.Case("c", "q", "answer", "Turn it.", "Compost", ("what is compost?",)),
        look.Case("d", "q", "answer", "X.", "Watering"),
        look.Case("e", "q", "not_covered"),
        look.Case("f", "q", "not_covered"),
        look.Case("g", "q", "answer", "Call us.", "Comentarios", ("is it online?",)),
    ]
    replies = [
        _reply("answer", "Watering", "> water  DEEPLY twice a week. Roots …"),  # exact, right
        _reply("answer", "Compost", "> Compost.", offers=("Pruning",)),  # wrong, but offered
        _reply("answer", "Compost", "> Turn it."),  # a follow-up answered
        _reply("no_answer", offers=("Compost",)),  # refused, not offered
        _reply("no_answer"),
        _reply("answer", "Watering", "> Water."),
        _reply("answer", "About", "> Call us."),  # the sentence, under another heading
    ]
    assert look.score(cases, replies) == {
        "exact sentence quoted": (3, 5), "right section": (2, 5), "answered or offered": (3, 5),
        "answerable refused": (1, 5), "not covered refused": (1, 2),
        "follow-ups answered": (1, 2), "right section, or its sentence quoted": (3, 5),
        "follow-ups answered, or the sentence quoted": (2, 2),
    }
    md = look.table(look.score(cases, replies), "set")
    assert "| exact sentence quoted | 3 / 5 | 0.60 |" in md


def test_history_goes_as_json_to_a_checkout_that_reads_it(tmp_path: Path) -> None:
    cases = [look.Case("c", "and  after?", "answer", history=("What is a session like?",))]
    assert look.reads_history(ROOT)
    old = tmp_path / "old" / "kapbot"
    old.mkdir(parents=True)
    (old / "cli.py").write_text('ask.add_argument("question")\n', encoding="utf-8")
    assert not look.reads_history(old.parent)
    assert look.input_lines(cases, False) == ["and after?"]  # asked alone
    assert json.loads(look.input_lines(cases, True)[0]) == {
        "question": "and  after?", "history": ["What is a session like?"]}


def test_a_first_look_runs_a_checkout_on_a_tiny_synthetic_set(tmp_path: Path) -> None:
    report = tmp_path / "look.md"
    assert look.main([str(TINY / "set.jsonl"), str(ROOT), "--config",
                      str(TINY / "kapbot.toml"), "--write", str(report)]) == 0
    md = report.read_text(encoding="utf-8")
    assert md.startswith(f"### set.jsonl on {ROOT.name}")
    assert "| right section | 3 / 3 | 1.00 |" in md
    assert "| exact sentence quoted | 3 / 3 | 1.00 |" in md
    assert "| follow-ups answered | 1 / 1 | 1.00 |" in md
    assert "| not covered refused | 1 / 1 | 1.00 |" in md
