"""``kapbot eval --html report.html``: the eval as one self-contained page the therapist can
read. Totals first, then a chart of score distributions (matplotlib, rendered to inline SVG:
no script, nothing fetched), then every case with its reply, sources and scores, failures first.
The only module that imports matplotlib.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Sequence

from kapbot.workbench.evalrun import CaseRow, EvalResult

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kapbot eval · {practice}</title>
<style>
body {{ font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2330;
  max-width: 76rem; margin: 1.5rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.5rem; margin-bottom: .2rem; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; }}
.meta {{ color: #5b6070; }} .verdict {{ font-size: 1.1rem; font-weight: 600; padding: .6rem 1rem;
  border-radius: 8px; display: inline-block; }}
.ok {{ background: #e3f5e8; color: #145c2c; }} .bad {{ background: #fde8e8; color: #8a1c1c; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; }}
th, td {{ border-bottom: 1px solid #e3e5ec; padding: .3rem .6rem; text-align: left;
  vertical-align: top; }}
th {{ background: #f4f3fa; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.fail td:first-child {{ border-left: 4px solid #c23b3b; }}
tr.pass td:first-child {{ border-left: 4px solid #3c9a5f; }}
details summary {{ cursor: pointer; color: #5b3fb0; }}
pre {{ white-space: pre-wrap; background: #f7f7fa; padding: .5rem; border-radius: 6px;
  max-width: 44rem; font-size: 13px; }}
.chart svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>kapbot eval · {practice}</h1>
<p class="meta">{when} · index {fingerprint} · answer threshold {threshold} ·
urgent at crisis probability {crisis_threshold}</p>
<p class="verdict {verdict_class}">{verdict}</p>
{totals}
<h2>Score distributions</h2>
<div class="chart">{chart}</div>
<h2>Every case ({n_cases}; {n_failed} failed, shown first)</h2>
{cases}
</body></html>
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _totals(result: EvalResult) -> str:
    out = []
    for path, rows in result.tables.items():
        names = list(rows)
        metrics = list(next(iter(rows.values())).metrics)
        head = "".join(f"<th>{_e(n)}</th>" for n in names)
        body = "".join(
            f"<tr><td>{_e(m)}</td>"
            + "".join(f"<td class=num>{_number(rows[n].metrics[m])}</td>" for n in names)
            + "</tr>"
            for m in metrics
        )
        counts = ", ".join(f"{v} {k}" for k, v in next(iter(rows.values())).counts.items() if v)
        out.append(f"<h2>{_e(path)}</h2><p class=meta>{_e(counts)}</p>"
                   f"<table><tr><th>metric</th>{head}</tr>{body}</table>")
    return "\n".join(out)


def chart_svg(cases: Sequence[CaseRow], threshold: float, crisis_threshold: float) -> str:
    """Two histograms as inline SVG: the calibrated answer probability of questions that should
    be answered against those that should not, and the crisis probability of crisis messages
    against all others, each with its threshold (crisis messages are never retrieved for)."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    groups = {  # crisis and medical messages are never retrieved for: they are on the right
        "should be answered": [c.top_score for c in cases if c.expect == "answer"],
        "should get 'not covered'": [c.top_score for c in cases if c.expect == "no_answer"],
    }
    crisis = {
        "crisis messages": [c.crisis_probability for c in cases if c.expect == "crisis"],
        "all other messages": [c.crisis_probability for c in cases if c.expect != "crisis"],
    }
    colours = ["#3c9a5f", "#c77d1f"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    bins = [i / 40 for i in range(41)]
    for (label, values), colour in zip(groups.items(), colours, strict=True):
        if values:
            left.hist(values, bins=bins, alpha=0.6, label=f"{label} ({len(values)})",
                      color=colour)
    left.axvline(threshold, color="#1f2330", linestyle="--", label=f"threshold {threshold:.2f}")
    left.set(title="Questions: the calibrated answer probability", xlabel="probability",
             ylabel="questions")
    left.legend(fontsize=8)
    for (label, values), colour in zip(crisis.items(), ["#c23b3b", "#6b7080"], strict=True):
        if values:
            right.hist(values, bins=bins, alpha=0.6, label=f"{label} ({len(values)})",
                       color=colour)
    right.axvline(crisis_threshold, color="#1f2330", linestyle="--",
                  label=f"urgent threshold {crisis_threshold:.2f}")
    right.set(title="Every message: the safety classifier's crisis probability",
              xlabel="crisis probability", ylabel="messages")
    right.legend(fontsize=8)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _cases(cases: Sequence[CaseRow]) -> str:
    ordered = sorted(cases, key=lambda c: (c.passed, c.file, c.id))
    rows = []
    for c in ordered:
        status = "pass" if c.passed else f"FAIL: {c.problem}"
        sources = "<br>".join(_e(s) for s in c.sources) or "—"
        rows.append(
            f"<tr class={'pass' if c.passed else 'fail'}><td>{_e(status)}</td>"
            f"<td>{_e(c.file.rsplit('/', 1)[-1])}<br>{_e(c.id)}</td><td>{_e(c.question)}</td>"
            f"<td>{_e(c.expect)} → <b>{_e(c.kind)}</b></td><td>{sources}</td>"
            f"<td class=num>{c.top_score:.3f}</td><td class=num>{c.crisis_probability:.3f}</td>"
            f"<td><details><summary>reply</summary><pre>{_e(c.text)}</pre>"
            f"<p class=meta>{_e(c.reason)}</p></details></td></tr>"
        )
    head = ("<tr><th>result</th><th>case</th><th>question</th><th>expected → got</th>"
            "<th>sources</th><th>answer prob.</th><th>crisis sim.</th><th>reply</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def render(result: EvalResult, practice: str) -> str:
    threshold = float(result.settings.get("answer_threshold", 0.0))
    crisis_threshold = float(result.settings.get("urgent_threshold", 0.0))
    failed = sum(not c.passed for c in result.cases)
    return PAGE.format(
        practice=_e(practice),
        when=_e(time.strftime("%Y-%m-%d %H:%M")),
        fingerprint=_e(result.fingerprint or "—"),
        threshold=f"{threshold:.2f}", crisis_threshold=f"{crisis_threshold:.2f}",
        verdict_class="bad" if result.missed else "ok",
        verdict=_e("All bars met" if not result.missed else "Missed: " + "; ".join(result.missed)),
        totals=_totals(result),
        chart=chart_svg(result.cases, threshold, crisis_threshold),
        n_cases=len(result.cases), n_failed=failed,
        cases=_cases(result.cases),
    )
