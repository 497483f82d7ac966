"""Small pure text helpers: reading a visitor's message, sentences, words.

Markup is removed by an HTML sanitiser (``nh3``, which parses tags as a browser does, quoted
attributes included) and sentences are found by a rule-based splitter that knows abbreviations
(``pysbd``: "Dr. Jane Doe" stays one sentence). Both are imported here only.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

Problem = Literal["", "empty", "too_long", "not_text", "not_english"]

# Elements whose content an HTML parser keeps as raw text (so markup inside them would survive).
_RAW_TEXT = re.compile(r"<(/?)\s*(iframe|noembed|noframes|noscript|plaintext|textarea|title|xmp)\b",
                       re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves im ive id dont
    doesnt isnt whats get got really much also like us""".split()
)


@dataclass(frozen=True)
class CleanQuestion:
    text: str  # markup and control characters removed, whitespace folded
    problem: Problem = ""


def clean_question(raw: object, max_chars: int) -> CleanQuestion:
    """Read a visitor's message safely. Never raises; says what is wrong instead."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return CleanQuestion("", "not_text")
    if not isinstance(raw, str):
        return CleanQuestion("", "not_text")
    if len(raw) > max_chars * 4:
        return CleanQuestion("", "too_long")
    text = raw.replace("\x00", "")
    if raw and len(text) < len(raw) * 0.9:
        return CleanQuestion("", "not_text")
    text = _RAW_TEXT.sub(r"<\1x-\2", text)  # their content is markup to strip, not text
    for _ in range(3):  # again for markup written as entities (&lt;img …&gt;)
        stripped = html.unescape(_strip_tags(text))
        text, done = stripped, stripped == text or "<" not in stripped
        if done:
            break
    text = text.replace("<", "‹").replace(">", "›")  # a stray bracket can never become markup
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"} else ch
        for ch in text
    )
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_chars:
        return CleanQuestion("", "too_long")
    if not text or not any(ch.isalnum() for ch in text):
        return CleanQuestion("", "empty" if not raw.strip() else "not_text")
    if unicodedata.category(text[0]) == "Cn" or text.count("\ufffd") > len(text) // 10:
        return CleanQuestion("", "not_text")
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, ""))
    if letters and latin / len(letters) < 0.5:
        return CleanQuestion(text, "not_english")
    return CleanQuestion(text)


def _strip_tags(text: str) -> str:
    """Text without tags, comments, or script and style contents (entities left escaped)."""
    import nh3

    return nh3.clean(text, tags=set(), attributes={}, strip_comments=True)


@functools.lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _regex_sentences(para: str) -> list[str]:
    out: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(para):
        out.append(para[start : end.end()].strip())
        start = end.end()
    if para[start:].strip():
        out.append(para[start:].strip())
    return out


def _paragraph_sentences(para: str) -> list[str]:
    """pysbd's sentences, each checked to be the paragraph's own text in order (the simple
    rule, a capital after . ! or ?, if the splitter ever changed a character)."""
    out: list[str] = []
    at = 0
    for piece in _segmenter().segment(para):
        piece = piece.strip()
        if not piece:
            continue
        found = para.find(piece, at)
        if found < 0 or para[at:found].strip():
            return _regex_sentences(para)
        out.append(piece)
        at = found + len(piece)
    return out if not para[at:].strip() else _regex_sentences(para)


@functools.lru_cache(maxsize=4096)
def _sentences(paragraphs: str) -> tuple[str, ...]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n", paragraphs):
        para = para.strip()
        if para:
            out.extend(_paragraph_sentences(para))
    return tuple(out)


def split_sentences(paragraphs: str) -> list[str]:
    """The sentences of a text, unchanged, in order (paragraph breaks end sentences too).
    Cached: the sections quoted in answers are split once, not on every answer."""
    return list(_sentences(paragraphs))


def clauses(text: str) -> list[str]:
    """Sentence-like pieces of a visitor's message, for screening only: split at . ! ? ; and
    line breaks whatever follows them (visitors often write in lower case)."""
    return [c.strip() for c in re.split(r"(?<=[.!?;])\s+|\n+", text) if c.strip()]


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.replace("’", "'").split("'")[0]
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


_PLAIN_WORD = re.compile(r"[^\W_]+")


def plain_words(text: str) -> list[str]:
    """Words, lower case, accents and apostrophes removed, letters repeated 3 times or more
    kept once or twice: the same words however they were typed ("Thaaanks!!", "¿Qué tal?")."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'").replace("'", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return [re.sub(r"(.)\1{2,}", r"\1\1", w) for w in _PLAIN_WORD.findall(text)]


def words(text: str) -> list[str]:
    """Lower-cased content words, lightly stemmed: for lexical matching only."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def word_count(text: str) -> int:
    return len(text.split())
