"""What a message asks: its question sentences, when it also tells something. Pure (the rules
are package data, ``data/asking.yaml``, read once at import).

"I've been depressed for years and nothing worked. How long does a session last?" carries its
question in its last sentence; the rest is context that can pull the ranking to another section.
Such a message is ranked as a whole and as its question sentence(s) (``readings``), and the
reading whose best section is likeliest to answer is taken (``kapbot.bot``). A question
sentence ends with "?" or starts with a question word (English or Spanish), starts with an
indirect question's opener ("I'd like to know...", "quisiera saber...") or ends with a tacked-on
question ("... is that a bad idea"). A message written as a letter ("Dear Dr. Rivera,\n...\nKind
regards,\nMargaret") is ranked without its greeting and closing lines too (``unframed``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kapbot.models import Answer
from kapbot.text import clauses, plain_words

ASKING_FILE = Path(__file__).resolve().parent / "data" / "asking.yaml"
SMALLTALK_FILE = Path(__file__).resolve().parents[1] / "smalltalk.yaml"  # greetings, thanks
_FIRST = re.compile(r"[\w'’]+")


@dataclass(frozen=True)
class PlainPhrases:
    """The rules' phrases as ``kapbot.text.plain_words`` reads a message, made once."""

    openers: tuple[str, ...]
    tags: tuple[str, ...]
    greetings: tuple[str, ...]
    openings: tuple[str, ...]  # what a letter may open with: the greetings and salutations
    closings: tuple[str, ...]


@dataclass(frozen=True)
class AskingRules:
    """What makes a sentence ask (``data/asking.yaml``, which says what each list covers).
    Openers, tags and greetings match as ``kapbot.text.plain_words`` reads a message: case,
    accents and apostrophes aside ("Id like to know", "me gustaria saber")."""

    question_words: frozenset[str]  # a sentence starting with one asks
    openers: tuple[str, ...]  # ... or starting with one of these (indirect questions)
    tags: tuple[str, ...]  # ... or ending with one of these (a tacked-on question)
    greetings: tuple[str, ...]  # what may come before an opener ("Hi, I was wondering...")
    salutations: tuple[str, ...] = ()  # a letter's first line, besides the greetings ("dear")
    closings: tuple[str, ...] = ()  # a letter's last line, perhaps before a name ("best,")
    titles: frozenset[str] = frozenset()  # words of a name that may be lower case ("doctora")
    plain: PlainPhrases = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # the phrases as plain words, once
        def plain(phrases: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(_plain(p) for p in phrases)

        object.__setattr__(self, "plain", PlainPhrases(
            plain(self.openers), plain(self.tags), plain(self.greetings),
            plain(self.greetings + self.salutations), plain(self.closings)))

    @staticmethod
    def load(path: Path = ASKING_FILE, smalltalk: Path = SMALLTALK_FILE) -> AskingRules:
        """The rules of ``path``, with the greetings and thanks of ``smalltalk`` (the chat's
        small-talk phrases, English and Spanish): the greetings may come before an opener or
        open a letter, the thanks close one."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        talk = yaml.safe_load(smalltalk.read_text(encoding="utf-8"))

        def phrases(key: str) -> tuple[str, ...]:
            return tuple(str(p).casefold() for p in data[key])

        def spoken(move: str) -> tuple[str, ...]:  # longest first: "hi there" before "hi"
            said = {str(p).casefold() for lang in talk[move].values() for p in lang}
            return tuple(sorted(said, key=lambda p: (-len(p), p)))

        return AskingRules(frozenset(str(data["question_words"]).split()), phrases("openers"),
                           phrases("tags"), spoken("greeting"), phrases("salutations"),
                           phrases("closings") + spoken("thanks"),
                           frozenset(_plain(w) for w in str(data["titles"]).split()))


def _plain(text: str) -> str:
    return " ".join(plain_words(text))


RULES = AskingRules.load()


def is_question(sentence: str, rules: AskingRules = RULES) -> bool:
    """A sentence that asks: ends with "?" (or starts with "¿"), starts with a question word or
    an indirect question's opener (after a greeting), or ends with a tacked-on question."""
    s = sentence.strip().rstrip(" .!…")
    if s.endswith("?") or s.startswith("¿"):
        return True
    first = _FIRST.search(s.casefold())
    if first is not None and first.start() <= 1 and \
            first.group(0).replace("’", "'") in rules.question_words:
        return True
    plain = _plain(s)
    for greeting in rules.plain.greetings:  # "Hi, I was wondering..."
        if plain.startswith(greeting + " "):
            plain = plain[len(greeting) + 1:]
            break
    return (any(plain == o or plain.startswith(o + " ") for o in rules.plain.openers)
            or any(plain == t or plain.endswith(" " + t) for t in rules.plain.tags))


def asks(message: str) -> bool:
    """Whether any sentence of ``message`` asks something ("I want to die" does not; "and
    after?" and "tell me about integration" do)."""
    return any(is_question(p) and _has_word(p) for p in clauses(message))


# a message with no question in it, to which the resources are shown first ("concern"), is
# quoted below them only when the writing very likely answers it: dictated and unpunctuated
# questions ("cuantas sesiones voy a necesitar en total") have no question sentence.
# Development (evals/spanish-dev3.jsonl and the others: 43 such messages): at 0.8, 9 of 14
# answerable ones quoted, none of the 10 crisis ones (the highest was 0.74). On the sealed
# e10, 3 more of 22 crisis messages got a quote below the resources (evals/HISTORY.md)
UNASKED_ANSWER_SURE = 0.8


def worth_quoting(message: str, answer: Answer) -> bool:
    """Whether ``answer`` is quoted below the crisis resources: the message asks something, or
    the writing very likely answers it (``UNASKED_ANSWER_SURE``). "I want to die" is not."""
    return asks(message) or (answer.kind == "answer"
                             and answer.confidence >= UNASKED_ANSWER_SURE)


def question_sentences(message: str) -> tuple[str, ...]:
    """The message's question sentences, in order, when it has other sentences too; else ()."""
    parts = clauses(message)
    asked = [p for p in parts if is_question(p) and _has_word(p)]
    if not asked or len(asked) == len(parts):
        return ()
    return tuple(asked)


def readings(message: str) -> tuple[str, ...]:
    """What to rank for ``message``: itself first, then itself without a letter's framing
    (``unframed``), then its question sentences together, then each alone (no repeats)."""
    body = unframed(message)
    asked = question_sentences(body)
    return tuple(dict.fromkeys([message, body, *([" ".join(asked), *asked] if asked else [])]))


NAME_WORDS = 4  # at most this many words after a salutation, or on a signature line


def unframed(message: str, rules: AskingRules = RULES) -> str:
    """``message`` without a letter's framing: a greeting it opens with, up to a comma or colon
    ("Dear Dr. Rivera,", "Good morning,"), and a closing it ends with ("Kind regards,
    Margaret", "Thank you kindly, Robert Lindqvist"). Read on the message as the chat cleans
    it, line breaks folded to spaces. A message that is only framing, or has none, is returned
    as it is."""
    text = " ".join(message.split())
    closings = rules.plain.closings
    opening = _OPENING.match(text)
    body = text[opening.end():] if opening and _framing(
        opening.group(1), rules.plain.openings, rules) else text
    pieces = clauses(body)  # as the screen splits a message
    if len(pieces) > 2 and _name(pieces[-1].split(), rules.titles) and \
            _framing(pieces[-2], closings, rules):
        pieces = pieces[:-2]  # "Regards. Tom", "Sincerely, Harold P. Smith"
    elif len(pieces) > 1 and _framing(pieces[-1], closings, rules):
        pieces = pieces[:-1]
    body = " ".join(pieces)
    return body if body and body != text else message


_OPENING = re.compile(r"([^,:?!]{1,60})[,:]\s+")  # the words before a first comma or colon


def _framing(line: str, phrases: tuple[str, ...], rules: AskingRules = RULES) -> bool:
    """Whether ``line`` is only one of ``phrases`` ("Kind regards,"), perhaps followed by a name
    ("Dear Dr. Rivera", "Best, Tom"; ``_name``). "Hi is it online" is not framing."""
    if "?" in line:
        return False
    plain = _plain(line)
    for phrase in phrases:
        if plain == phrase:
            return True
        if plain.startswith(phrase + " "):
            rest = line.split()[len(phrase.split()):]  # the name, as written
            if _name([w for w in rest if w not in {",", ":", "-"}], rules.titles):
                return True
    return False


def _name(words: list[str], titles: frozenset[str] = RULES.titles) -> bool:
    """A signature or addressee: one to ``NAME_WORDS`` words, each capitalised ("Harold P.",
    "Dr. Rivera") or a title ("doctora Rivera")."""
    return 0 < len(words) <= NAME_WORDS and all(
        w.lstrip("-–—,")[:1].isupper() or _plain(w) in titles for w in words)


def _has_word(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
