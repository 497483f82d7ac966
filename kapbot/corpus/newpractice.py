"""``kapbot init``: a new practice's folder, ready for its own writing.

It writes ``kapbot.toml`` (the practice's names, booking link and label, the site allowed to embed
the chat), an empty ``corpus/`` holding one commented example page and one example FAQ (their
names start with ``_``, so kapbot does not read them), and a general ``not-covered.md`` that names
no practice and no city. Fee and insurance questions go into it only when the therapist says the
pages don't publish them. The shipped practice in the project's ``corpus/`` is an example and is
never copied. The starter files are package data in ``kapbot/corpus/starter/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kapbot.errors import ConfigError
from kapbot.settings import CONFIG_FILE, PLACEHOLDER_BOOKING_URL, SETTINGS

BOOKING_LABEL_DEFAULT = str(next(s.default for s in SETTINGS if s.name == "booking_label"))
EXAMPLES = ("_example-page.md", "_example-faq.md")


@dataclass(frozen=True)
class Practice:
    """What ``init`` asks for."""

    practice_name: str
    therapist_name: str
    booking_url: str = PLACEHOLDER_BOOKING_URL
    booking_label: str = BOOKING_LABEL_DEFAULT
    allowed_origins: str = ""
    fees_unpublished: bool = False
    insurance_unpublished: bool = False


QUESTIONS: tuple[tuple[str, str, str], ...] = (  # field, prompt, default
    ("practice_name", "Practice name, as visitors see it", "My Practice"),
    ("therapist_name", "Therapist's name (replies say \"From <name>'s article\")", "the therapist"),
    ("booking_url", "Booking page address (https://...)", PLACEHOLDER_BOOKING_URL),
    ("booking_label", "Booking link text", BOOKING_LABEL_DEFAULT),
    ("allowed_origins", "Your website's address, where the chat will appear (https://...)", ""),
)


def ask(given: dict[str, str | None], prompt: Callable[[str], str]) -> dict[str, str]:
    """Each value not given on the command line, asked with ``prompt`` (Enter keeps the default)."""
    values = {}
    for name, question, default in QUESTIONS:
        value = given.get(name)
        if value is None:
            shown = f" [{default}]" if default else ""
            value = prompt(f"{question}{shown}: ").strip() or default
        values[name] = value.strip()
    return values


def _starter(name: str) -> str:
    return resources.files("kapbot.corpus.starter").joinpath(name).read_text(encoding="utf-8")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def init(folder: Path, practice: Practice) -> list[Path]:
    """Write the new practice's files into ``folder``; returns them. Refuses to overwrite."""
    folder = Path(folder)
    config, corpus = folder / CONFIG_FILE, folder / "corpus"
    if config.exists():
        raise ConfigError(f"{config} exists already: `kapbot init` makes a new practice's folder "
                          "and never overwrites one. Give another folder: `kapbot init FOLDER`.")
    if corpus.is_dir() and any(corpus.iterdir()):
        raise ConfigError(f"{corpus} is not empty: `kapbot init` never overwrites writing. Give "
                          "another folder: `kapbot init FOLDER`.")
    if not practice.practice_name.strip():
        raise ConfigError("The practice name is empty: give it with --practice \"Name\"")
    corpus.mkdir(parents=True, exist_ok=True)
    text = _starter("kapbot.toml.txt")
    for name in ("practice_name", "therapist_name", "booking_url", "booking_label",
                 "allowed_origins"):
        value = str(getattr(practice, name))
        text = text.replace("{" + name + "_toml}", _toml(value)).replace("{" + name + "}", value)
    written = [config]
    config.write_text(text, encoding="utf-8")
    not_covered = _starter("not-covered.md")
    if practice.fees_unpublished:
        not_covered += _starter("not-covered-fees.md.txt")
    if practice.insurance_unpublished:
        not_covered += _starter("not-covered-insurance.md.txt")
    for name, content in (("not-covered.md", not_covered),
                          *((n, _starter(n)) for n in EXAMPLES)):
        (corpus / name).write_text(content, encoding="utf-8")
        written.append(corpus / name)
    return written
