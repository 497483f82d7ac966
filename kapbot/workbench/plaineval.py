"""The eval in plain language, for a therapist: what visitors would have seen, counted, with the
cases that matter most (a wrong section quoted with confidence) listed first.

It also checks an eval file against the corpus before the run: each ``sections`` entry must name
a section, by its id (``file.md#slug``) or its heading, and ids are turned into headings (what
the scoring compares); each ``phrases`` entry must occur in one of those sections' text.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kapbot.errors import KapbotError
from kapbot.models import Section
from kapbot.workbench.evaluation import Case, norm

if TYPE_CHECKING:
    from kapbot.workbench.evalrun import CaseRow, EvalResult

# the checkout: its own sets keep their bars
PROJECT = Path(__file__).resolve().parent.parent.parent


def is_project_set(path: Path) -> bool:
    """The project's own eval sets (its evals/ and tests/ folders), where the bars apply."""
    try:
        relative = path.resolve().relative_to(PROJECT)
    except ValueError:
        return False
    return relative.parts[:1] in (("evals",), ("tests",))


def checked_cases(cases: Sequence[Case], sections: Sequence[Section], source: str) -> list[Case]:
    """``cases`` with section ids turned into headings; a name that matches no section, or a
    phrase found in none of its sections, raises ``KapbotError`` naming the case and the fix."""
    by_id = {s.id: s for s in sections}
    by_heading: dict[str, list[Section]] = {}
    for s in sections:
        by_heading.setdefault(norm(s.heading), []).append(s)
    names = [*by_id, *(s.heading for s in sections)]
    out = []
    for case in cases:
        found: list[Section] = []
        for name in case.sections:
            match = [by_id[name]] if name in by_id else by_heading.get(norm(name), [])
            if not match:
                close = difflib.get_close_matches(name, names, n=2)
                hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise KapbotError(f"{source}: case {case.id}: no section {name!r}: give a "
                                  f"section's heading or id (`kapbot sections` lists them).{hint}")
            found += match
        for phrase in case.phrases:
            if found and not any(norm(phrase) in norm(s.text) for s in found):
                raise KapbotError(f"{source}: case {case.id}: the phrase {phrase!r} is not in "
                                  f"the text of {', '.join(s.id for s in found)}: copy the "
                                  "words exactly from that section, or remove the phrase.")
        out.append(dataclasses.replace(case, sections=tuple(s.heading for s in found)))
    return out


def _heading(source: str) -> str:
    return source.rsplit(" › ", 1)[-1]


def _q(row: CaseRow) -> str:
    return repr(row.question if len(row.question) <= 90 else row.question[:87] + "...")


def summary(result: EvalResult) -> str:
    """Per file: answered from the right section, from a wrong one (listed), refused; not
    covered refused; crisis and medical handled."""
    out: list[str] = []
    cases = result.parsed
    for file, file_cases in cases.items():
        rows = [r for r in result.cases if r.file == file]
        if len(rows) != len(file_cases):
            continue
        pairs = list(zip(file_cases, rows, strict=True))
        answerable = [(c, r) for c, r in pairs if c.expect == "answer"]
        right = [(c, r) for c, r in answerable if r.kind == "answer" and r.sources
                 and norm(_heading(r.sources[0])) in {norm(s) for s in c.sections}]
        wrong = [(c, r) for c, r in answerable if r.kind == "answer" and (c, r) not in right]
        refused = [(c, r) for c, r in answerable if r.kind != "answer"]
        uncovered = [(c, r) for c, r in pairs if c.expect == "no_answer"]
        said_so = [p for p in uncovered if p[1].kind != "answer"]
        safety = [(c, r) for c, r in pairs if c.expect in ("crisis", "medical")]
        missed = [(c, r) for c, r in safety if not r.passed]
        parts = []
        if answerable:
            parts.append(f"{len(right)} of {len(answerable)} answered from the right section, "
                         f"{len(wrong)} from a wrong section"
                         + (" (listed: these matter most)" if wrong else "")
                         + f", {len(refused)} refused")
        if uncovered:
            parts.append(f"{len(said_so)} of {len(uncovered)} not covered refused")
        if safety:
            parts.append("crisis and medical: " + ("all handled" if not missed else
                                                    f"{len(missed)} of {len(safety)} missed"))
        out.append(f"{file}: " + "; ".join(parts))
        for c, r in wrong:
            quoted = _heading(r.sources[0]) if r.sources else "?"
            out.append(f"  WRONG SECTION {c.id} {_q(r)}: quoted {quoted!r}, expected "
                       f"{' or '.join(repr(s) for s in c.sections)}")
        for c, r in refused:
            out.append(f"  refused {c.id} {_q(r)} ({r.kind}); expected "
                       f"{' or '.join(repr(s) for s in c.sections)}")
        for c, r in uncovered:
            if r.kind == "answer":
                quoted = _heading(r.sources[0]) if r.sources else "?"
                out.append(f"  answered although not covered {c.id} {_q(r)}: quoted {quoted!r}")
        for c, r in missed:
            out.append(f"  {c.expect} missed {c.id} {_q(r)}: got {r.kind}")
        for c, r in right:
            if c.phrases and not any(norm(p) in norm(r.text) for p in c.phrases):
                out.append(f"  right section, other lines {c.id} {_q(r)}: the reply quotes none "
                           f"of {', '.join(repr(p) for p in c.phrases)}")
    for file in {r.file for r in result.cases} - set(cases):
        rows = [r for r in result.cases if r.file == file]
        crisis = [r for r in rows if r.expect == "crisis"]
        medical = [r for r in rows if r.expect == "medical"]
        others = [r for r in rows if r.expect == "none"]
        out.append(f"{file}: {sum(r.passed for r in crisis)} of {len(crisis)} crisis messages "
                   f"shown the crisis resources first; {sum(r.passed for r in medical)} of "
                   f"{len(medical)} medical requests given the medical reply; "
                   f"{sum(r.passed for r in others)} of {len(others)} other messages left alone")
        out += [f"  missed {r.id} {_q(r)} ({r.expect}, got {r.kind})"
                for r in rows if not r.passed]
    return "\n".join(out)
