"""The README documents every setting, command and JSON field (datasette's test_docs idea)."""

from __future__ import annotations

import re

import pytest

from kapbot.cli import COMMANDS, _parser
from kapbot.settings import SETTINGS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_come_first() -> None:
    quick = README.index("## Quick start")
    assert README.index("make run", quick) < README.index("## The `kapbot` command")
    assert README.index("make test", quick) < README.index("## The `kapbot` command")
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: object) -> None:
    row = re.search(rf"^\| `{setting.name}` \| `{setting.env}` \|", README, re.MULTILINE)  # type: ignore[attr-defined]
    assert row, f"README's settings table misses {setting.name}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"kapbot {command}" in README


def test_every_make_target_is_documented() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY: (.+)$", makefile, re.MULTILINE)
    assert phony
    for target in phony[1].split():
        assert f"make {target}" in README, f"README does not mention make {target}"


def test_every_flag_is_documented() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():  # type: ignore[union-attr]
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"kapbot {name} {flag} is not in the README"


def test_json_contract_fields_are_documented() -> None:
    for field in ("question", "kind", "text", "sources", "disclaimer", "booking_url"):
        assert f"| `{field}` |" in README
    for kind in ("answer", "no_answer", "crisis", "medical", "invalid"):
        assert f"`{kind}`" in README
