"""High-precision rules for explicit imminent danger, read from ``rules.yaml`` (data, with a note
of what each covers). Pure apart from reading that file once."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


@dataclass(frozen=True)
class Rule:
    name: str
    covers: str
    lang: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # a hypothetical or harmless reading that cancels it
    tier: str = "urgent"  # what a match gives: "urgent", or "concern" (at least the resources)


def normalise(message: str) -> str:
    """Lower case, accents and curly quotes folded, one space between words."""
    text = unicodedata.normalize("NFKD", message.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^a-z0-9'ñ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@cache
def rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return tuple(Rule(str(r["name"]), str(r["covers"]), str(r.get("lang", "en")),
                      _compile(r["pattern"]), _compile(r["unless"]) if r.get("unless") else None,
                      str(r.get("tier", "urgent"))) for r in data)


def _compile(pattern: object) -> re.Pattern[str]:
    return re.compile(re.sub(r"\s*\n\s*", " ", str(pattern)).strip())


def matching(message: str) -> list[Rule]:
    """The rules that match ``message``, in file order."""
    text = normalise(message)
    return [rule for rule in rules()
            if rule.pattern.search(text) and not (rule.unless and rule.unless.search(text))]


def first_match(message: str, tier: str = "urgent") -> str:
    """The name of the first rule of ``tier`` that matches ``message``, or ""."""
    return next((rule.name for rule in matching(message) if rule.tier == tier), "")
