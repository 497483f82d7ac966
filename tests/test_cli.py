"""The kapbot command, run as a visitor-facing therapist would: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def kapbot(*args: str, data_dir: Path, stdin: str | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "KAPBOT_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kapbot.cli", *args], cwd=ROOT, input=stdin, text=True,
        capture_output=True, env=full_env, timeout=300,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from kapbot.cli import _parser; _parser().format_help(); "
        "heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers', 'gradio', "
        "'langchain_core', 'fastapi') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    helped = subprocess.run([sys.executable, "-m", "kapbot.cli", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    for command in ("index", "ask", "eval", "serve"):
        assert command in helped.stdout


def test_index_then_ask(data_dir: Path) -> None:
    built = kapbot("index", data_dir=data_dir)
    assert built.returncode == 0, built.stderr
    assert "Index rebuilt" in built.stdout and "units from" in built.stdout
    again = kapbot("index", data_dir=data_dir)
    assert "already current" in again.stdout

    readable = kapbot("ask", "What is ketamine integration?", data_dir=data_dir)
    assert readable.returncode == 0, readable.stderr
    assert readable.stdout.startswith("[answer]\nFrom Dana Nassau's article")
    assert "Book a free discovery call" in readable.stdout

    as_json = kapbot("ask", "--json", "What is ketamine integration?", data_dir=data_dir)
    data = json.loads(as_json.stdout)
    assert data["kind"] == "answer"
    assert data["sources"][0]["section"] == "What is ketamine integration?"


def test_ask_never_imports_torch(data_dir: Path) -> None:
    """The serving path runs the ONNX copy of the model: torch, transformers and
    sentence-transformers stay out of a `kapbot ask` once the index is built."""
    assert kapbot("index", data_dir=data_dir).returncode == 0
    code = (
        "import sys; from kapbot.cli import main; code = main(['ask', '--json', "
        "'How long does a ketamine session last?']); "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'gradio') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "KAPBOT_DATA_DIR": str(data_dir)}, timeout=120)
    assert out.returncode == 0, out.stderr
    answer_line, imported = out.stdout.strip().splitlines()
    assert json.loads(answer_line)["kind"] == "answer"
    assert imported == "[]"


def test_ask_json_stdin_one_object_per_line(data_dir: Path) -> None:
    lines = "What is ketamine integration?\n\n<script>x</script>\nI want to kill myself\n"
    out = kapbot("ask", "--json", "-", data_dir=data_dir, stdin=lines)
    assert out.returncode == 0, out.stderr
    objects = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["kind"] for o in objects] == ["answer", "invalid", "invalid", "crisis"]
    assert "<script" not in out.stdout


def test_errors_say_the_fix(tmp_path: Path) -> None:
    out = kapbot("index", data_dir=tmp_path, env={"KAPBOT_CORPUS_DIR": str(tmp_path / "none")})
    assert out.returncode == 2
    assert "No corpus folder" in out.stderr and "KAPBOT_CORPUS_DIR" in out.stderr
    assert "Traceback" not in out.stderr
    bad = kapbot("ask", "hi", data_dir=tmp_path, env={"KAPBOT_PORT": "eighty"})
    assert bad.returncode == 2 and "KAPBOT" not in bad.stdout and "port" in bad.stderr


def test_eval_prints_totals(data_dir: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(
        '{"id": "a", "question": "What is ketamine integration?", "expect": "answer", '
        '"sections": ["What is ketamine integration?"]}\n'
        '{"id": "b", "question": "i want to die", "expect": "crisis"}\n'
        '{"id": "c", "question": "who won the world cup", "expect": "no_answer"}\n'
    )
    out = kapbot("eval", str(small), data_dir=data_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "hit@1" in out.stdout and "crisis_recall" in out.stdout
    assert "all bars met" in out.stdout


def test_eval_html_report_is_one_offline_page(data_dir: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(
        '{"id": "a", "question": "What is ketamine integration?", "expect": "answer", '
        '"sections": ["What is ketamine integration?"]}\n'
        '{"id": "b", "question": "i want to die", "expect": "crisis"}\n'
        '{"id": "c", "question": "who won the world cup", "expect": "answer", '
        '"sections": ["What is ketamine integration?"]}\n'
    )
    page_file = tmp_path / "report.html"
    out = kapbot("eval", str(small), "--html", str(page_file), "--bars", data_dir=data_dir)
    assert out.returncode == 1  # case c cannot pass: a bar is missed, and --bars fails on it
    assert f"wrote {page_file}" in out.stdout
    page = page_file.read_text(encoding="utf-8")
    assert "<script" not in page and "<svg" in page
    assert "calibrated answer probability" in page and "crisis probability" in page
    assert "threshold 0.50" in page and "urgent threshold 0.80" in page
    assert page.index("FAIL: expected an answer, got no_answer") < page.index("<td>pass<")
    assert "Missed: " in page and "hit@1" in page
    assert "who won the world cup" in page


def test_teach_and_report_commands(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "faq.md").write_text("# FAQ\n\n### Do you offer parking?\n\nYes, behind the "
                                   "building.\n", encoding="utf-8")
    env = {"KAPBOT_CORPUS_DIR": str(corpus)}
    out = kapbot("teach", "where do I leave my car", "--section", "faq.md#do-you-offer-parking",
                 data_dir=tmp_path / "data", env=env)
    assert out.returncode == 0, out.stderr
    assert "+- where do I leave my car" in out.stdout and "kapbot eval" in out.stdout
    assert "- where do I leave my car" in (corpus / "faq.md").read_text(encoding="utf-8")
    wrong = kapbot("teach", "x", "--section", "faq.md#parking", data_dir=tmp_path, env=env)
    assert wrong.returncode == 2 and "No section 'faq.md#parking'" in wrong.stderr
    report = kapbot("report", data_dir=tmp_path / "data", env=env)
    assert report.returncode == 0 and "Nothing recorded yet." in report.stdout


def test_review_mode_refuses_other_hosts(tmp_path: Path) -> None:
    out = kapbot("serve", "--review", "--host", "0.0.0.0", data_dir=tmp_path)
    assert out.returncode == 2
    assert "only listens on 127.0.0.1" in out.stderr and "Traceback" not in out.stderr
