"""Running the eval: kapbot (with and without its question bank) and, for comparison, the plain
LangChain tutorial pipeline (RecursiveCharacterTextSplitter 1000/200 + Chroma + the same model,
top-1 chunk plus the disclaimer) on the same corpus and questions, in the same run.

The tutorial pipeline has no threshold and no safety screen: it always answers with its top chunk.
A chunk counts as retrieving every section that has a sentence wholly inside it (chunks often span
two sections, which is generous to the baseline).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapbot import wording
from kapbot.bot import Bot
from kapbot.corpus.chunking import tutorial_chunks
from kapbot.corpus.markdown import NOT_COVERED
from kapbot.corpus.reader import Corpus
from kapbot.index.store import Store
from kapbot.models import Answer, Unit
from kapbot.text import split_sentences
from kapbot.workbench.evaluation import (
    Case,
    Outcome,
    Report,
    SafetyCase,
    bars_missed,
    norm,
    parse_cases,
    parse_safety,
    safety_bars_missed,
    score,
    score_safety,
)
from kapbot.workbench.plaineval import checked_cases


def outcome_of(answer: Answer, booking_label: str = wording.BOOK_BUTTON) -> Outcome:
    lang = answer.language or "en"  # a Spanish reply ends with the Spanish footer
    if booking_label == wording.BOOK_BUTTON:
        booking_label = wording.phrase("BOOK_BUTTON", lang)
    footer = wording.footer(answer.disclaimer, answer.booking_url, booking_label, lang)
    return Outcome(
        kind=answer.kind,
        ranked=tuple(p.section.heading for p in answer.candidates),
        text=answer.text,
        has_footer=answer.text.endswith(footer) and bool(answer.booking_url),
        reason=answer.reason,
        scores=tuple(p.score for p in answer.candidates),
        safety=answer.safety,
        offered=tuple(s.section for s in answer.suggestions),
    )


@dataclass(frozen=True)
class CaseRow:
    """One eval case as the HTML report shows it."""

    file: str
    id: str
    question: str
    expect: str
    kind: str
    passed: bool
    problem: str
    text: str
    sources: tuple[str, ...]
    top_score: float  # the calibrated probability that the best section answers (0: none)
    crisis_probability: float
    reason: str


def _rows(file: str, cases: Sequence[Case | SafetyCase], answers: Sequence[Answer],
          report: Report) -> list[CaseRow]:
    failed = {f["id"]: f["problem"] for f in report.failures}
    rows = []
    for case, answer in zip(cases, answers, strict=True):
        question = case.question if isinstance(case, Case) else case.message
        rows.append(CaseRow(
            file, case.id, question, case.expect, answer.kind, case.id not in failed,
            failed.get(case.id, ""), answer.text,
            tuple(f"{s.title} › {s.section}" for s in answer.sources),
            answer.confidence,
            answer.crisis_probability, answer.reason,
        ))
    return rows


def run_kapbot(bot: Bot, cases: Sequence[Case], use_bank: bool = True) -> Report:
    return _run_kapbot(bot, cases, use_bank)[0]


def _run_kapbot(bot: Bot, cases: Sequence[Case], use_bank: bool = True
                ) -> tuple[Report, list[Answer]]:
    answers = [bot.ask(c.question, use_bank=use_bank) for c in cases]
    return score(cases, [outcome_of(a, bot.voice.booking_label) for a in answers]), answers


def _plain_text(corpus: Corpus) -> list[tuple[str, str]]:
    """Each document as the tutorial would load it: headings and paragraphs, no question bank."""
    out = []
    for doc in corpus.documents:
        if doc.kind == NOT_COVERED:
            continue
        parts: list[str] = []
        for section in doc.sections:
            parts.append(section.heading)
            parts.append(section.text)
        out.append((doc.name, "\n\n".join(parts)))
    return out


def run_tutorial(bot: Bot, cases: Sequence[Case]) -> Report:
    corpus = bot.corpus
    if corpus is None:
        bot.prepare()
        corpus = bot.corpus
    assert corpus is not None
    units: list[Unit] = []
    for name, text in _plain_text(corpus):
        for n, chunk in enumerate(tutorial_chunks(text), start=1):
            units.append(Unit(f"{name}#chunk-{n}", "passage", name, chunk, chunk))
    sentences = [(s.heading, sentence) for s in corpus.sections
                 for sentence in split_sentences(s.text)]
    footer = wording.footer(bot.voice.disclaimer, bot.voice.booking_url, bot.voice.booking_label)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="kapbot-tutorial-") as tmp:
        store = Store(Path(tmp), bot.embedder, "tutorial").open()
        store.rebuild(units, "tutorial")
        for case in cases:
            vector = bot.embedder.embed([case.question])[0]
            accepted = {norm(h) for h in case.sections}
            ranked: list[str] = []
            hits = store.query(vector, "passage", k=3)
            for unit, _ in hits:
                # a chunk retrieves every section it holds a sentence of; the accepted one is
                # listed first, so the baseline gets credit for any section its chunk covers
                held = list(dict.fromkeys(h for h, s in sentences if s in unit.quote)) or [""]
                held.sort(key=lambda h: norm(h) not in accepted)
                ranked.extend(h for h in held if h not in ranked)
            top = hits[0][0].quote if hits else ""
            outcomes.append(Outcome("answer", tuple(ranked), f"{top}\n\n{footer}", True,
                                    "top-1 chunk"))
    return score(cases, outcomes)


def run_safety(bot: Bot, cases: Sequence[SafetyCase]) -> Report:
    return _run_safety(bot, cases)[0]


def _run_safety(bot: Bot, cases: Sequence[SafetyCase]) -> tuple[Report, list[Answer]]:
    answers = [bot.ask(c.message) for c in cases]
    return score_safety(cases, [outcome_of(a, bot.voice.booking_label) for a in answers]), answers


def _is_safety_file(path: Path) -> bool:
    first = next((ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()), "{}")
    try:
        return "message" in json.loads(first)
    except json.JSONDecodeError:
        return False


@dataclass
class EvalResult:
    """Tables of metrics per eval file, the bars each main row missed, and the failures."""

    tables: dict[str, dict[str, Report]] = field(default_factory=dict)  # file → row → report
    missed: list[str] = field(default_factory=list)
    fingerprint: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    cases: list[CaseRow] = field(default_factory=list)  # every case of the main kapbot row
    parsed: dict[str, list[Case]] = field(default_factory=dict)  # questions files' cases

    def render(self, failures: bool = True) -> str:
        out: list[str] = []
        for path, rows in self.tables.items():
            main = next(iter(rows.values()))
            if failures:
                for f in main.failures:
                    top = ", ".join(t[:40] for t in f["top"])
                    out.append(f"FAIL {f['id']} [{f['expect']} → {f['kind']}] "
                               f"{f['question'][:90]!r}: {f['problem']}"
                               + (f"; top: {top}" if top else ""))
                out.append("")
            counts = ", ".join(f"{v} {k}" for k, v in main.counts.items() if v)
            out.append(f"{path}: {counts}\n")
            out.append(_table({name: r.metrics for name, r in rows.items()}))
            out.append("")
        out.append("all bars met" if not self.missed else "MISSED " + "; ".join(self.missed))
        return "\n".join(out)

    def payload(self) -> dict[str, Any]:
        return {
            "index_fingerprint": self.fingerprint,
            "settings": self.settings,
            "evals": {
                path: {
                    "counts": next(iter(rows.values())).counts,
                    "results": {name: r.metrics for name, r in rows.items()},
                    "failures": {name: [f["id"] for f in r.failures] for name, r in rows.items()},
                }
                for path, rows in self.tables.items()
            },
        }


def run_eval(bot: Bot, files: Sequence[Path], tutorial: bool = False,
             no_bank: bool = False) -> EvalResult:
    result = EvalResult(
        fingerprint=bot.report.fingerprint if bot.report else "",
        settings={"answer_threshold": bot.settings.answer_threshold,
                  "urgent_threshold": bot.settings.urgent_threshold,
                  "concern_threshold": bot.settings.concern_threshold,
                  "medical_threshold": bot.settings.medical_threshold,
                  "scope_threshold": bot.settings.scope_threshold,
                  "weights": vars(bot.weights)},
    )
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        if _is_safety_file(path):
            safety_cases = parse_safety(lines, str(path))
            report, answers = _run_safety(bot, safety_cases)
            result.cases += _rows(str(path), safety_cases, answers, report)
            result.tables[str(path)] = {"kapbot": report}
            result.missed += [f"{path.name}: {m}" for m in safety_bars_missed(report.metrics)]
            continue
        cases = parse_cases(lines, str(path))
        if bot.corpus is not None:  # sections named by id or heading, phrases in their text
            cases = checked_cases(cases, bot.corpus.sections, str(path))
        result.parsed[str(path)] = cases
        rows: dict[str, Report] = {}
        if not no_bank:
            rows["kapbot"], answers = _run_kapbot(bot, cases, use_bank=True)
            result.cases += _rows(str(path), cases, answers, rows["kapbot"])
        rows["kapbot --no-bank"] = run_kapbot(bot, cases, use_bank=False)
        if tutorial:
            rows["tutorial"] = run_tutorial(bot, cases)
        result.tables[str(path)] = rows
        if not no_bank:
            result.missed += [f"{path.name}: {m}" for m in bars_missed(rows["kapbot"].metrics)]
    return result


def _cell(value: float | None) -> str:
    return f"{value:>18.3f}" if value is not None else f"{'n/a':>18}"


def _table(rows: dict[str, dict[str, float | None]]) -> str:
    names = list(next(iter(rows.values())).keys())
    header = f"{'metric':<28}" + "".join(f"{k:>18}" for k in rows)
    lines = [header, "-" * len(header)]
    for name in names:
        lines.append(f"{name:<28}" + "".join(_cell(rows[k][name]) for k in rows))
    return "\n".join(lines)
