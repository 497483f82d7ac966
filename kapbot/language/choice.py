"""Which language a visitor writes in. Pure: the detector's signals (``kapbot.language.langdetect``)
and the message's own cues in, a ``Lang`` out.

Between English and Spanish the choice is learnt (``SpanishOdds``): a logistic model over the
detector's confidence, the share of the message's words in Spanish stretches, its Spanish and
English function words, and a weight for each word that at least three training writers used,
fitted on the language labels of every safety training line
(``evals/train_language_choice.py``), so a Spanglish message, mostly English words around
Spanish ones, is usually answered in Spanish (about nine in ten: ``evals/language-choice.md``).
A message that is not clearly Spanish stays English, and a Spanish conversation stays Spanish
unless the message is clearly English: a visitor who switches is followed. A message of one or
two words with no function word of the other language keeps the conversation's language ("ok",
a name). Without the model or the detector, function words and Spanish marks (¿ ¡ ñ, accents)
decide with the detector's confidences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kapbot.errors import ConfigError
from kapbot.odds import logistic
from kapbot.text import plain_words


class Lang(StrEnum):
    EN = "en"
    ES = "es"


# between these probabilities of Spanish a message mixes the two languages: a crisis reply to it
# also names the other language's way to reach 988 (0.1-0.9 holds 2% of the English training
# lines, 7% of the Spanglish ones and 0.6% of the Spanish ones: evals/language-choice.md)
UNSURE = (0.1, 0.9)
CUE_WEIGHT = 0.2  # a cue word more than the other language's counts as this much confidence
SHORT_WORDS = 2  # a message this short needs a function word of a language to switch to it
MARGIN = 0.3  # how far the best language must be ahead; closer, the conversation's stays

_WORD = re.compile(r"[a-záéíóúüñ]+")
CUES: Mapping[Lang, frozenset[str]] = {
    Lang.ES: frozenset(
        "que qué es el la los las de del por para cómo como cuál cual cuánto cuanto cuándo "
        "cuando dónde donde quiero quiere necesito puedo puede tengo tiene estoy está esta "
        "soy mi mis me yo usted tu tú su con sin una uno unos unas y o pero también muy más "
        "sí hola gracias ayuda ayúdame sesión sesiones terapia terapeuta cita precio cuesta "
        "hay hacer sobre porque qué eso esto ella él nosotros vida morir matarme pastillas "
        "hermano novio novia mañana hoy ahora se lo le al".split()),
    Lang.EN: frozenset(
        "the is are was what how why when where who which can could do does did i my me you "
        "your it this that there and or but with without for of to in on about want need "
        "have has am be will would should much many help please thanks thank hello hi yes "
        "therapy therapist session sessions appointment book cost price".split()),
}


# "34 y/o", "my 19 y.o. son": English for "years old", whose letters read as the Spanish "y" and
# "o" (and, or); spelt out before any signal or cue is read. Only after a number and not before
# one: a Spanish "y/o" (and/or) joins words or numbers ("3 y/o 4 sesiones").
YEARS_OLD = re.compile(r"(\d)\s*y\s*[/.]\s*o\b\.?(?!\s*\d)", re.IGNORECASE)


def spelt_out(text: str) -> str:
    """``text`` with the English abbreviations that look Spanish spelt out (``YEARS_OLD``)."""
    return YEARS_OLD.sub(r"\1 years old", text)


def parse_languages(value: str) -> tuple[Lang, ...]:
    """The ``languages`` setting ("en, es") as ``Lang``s, in order; the first is the default."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    known = {lang.value: lang for lang in Lang}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ConfigError(f"languages must list some of {', '.join(known)} (comma-separated), "
                          f"not {value!r}")
    return tuple(dict.fromkeys(known[name] for name in names))


def cue_counts(text: str) -> dict[Lang, int]:
    """How many of the message's words are typical of each language; Spanish marks count."""
    text = spelt_out(text)
    words = _WORD.findall(text.lower())
    counts = {lang: sum(1 for w in words if w in CUES[lang]) for lang in CUES}
    counts[Lang.ES] += 2 * sum(text.count(mark) for mark in "¿¡ñÑ")
    counts[Lang.ES] += sum(1 for w in words if re.search(r"[áéíóú]", w) and w not in CUES[Lang.ES])
    return counts


def reads_as_spanish(text: str) -> bool:
    """A line in Spanish, not Spanglish: two Spanish cues or more, no English function word."""
    counts = cue_counts(text)
    return counts[Lang.ES] >= 2 and counts[Lang.EN] == 0


@dataclass(frozen=True)
class Signals:
    """What the detector reads of a message: its confidence that the whole message is Spanish,
    and the share of its words that lie in stretches it reads as Spanish (0 to 1 each)."""

    spanish_confidence: float
    spanish_share: float


def features(text: str, signals: Signals) -> list[float]:
    """The learnt choice's inputs: the two signals, the Spanish and English function words
    (counted, and as a share of the words), and the message's length in words."""
    words = max(len(_WORD.findall(text.lower())), 1)
    counts = cue_counts(text)
    spanish, english = counts[Lang.ES], counts[Lang.EN]
    return [signals.spanish_confidence, signals.spanish_share, math.log1p(spanish),
            math.log1p(english), spanish / words, english / words, math.log(words)]


def language_words(text: str) -> frozenset[str]:
    """The message's words as the learnt choice weighs them: lower case, accents removed
    (visitors often type Spanish without them), letters only, each once."""
    return frozenset(word for word in plain_words(spelt_out(text)) if word.isalpha())


@dataclass(frozen=True)
class SpanishOdds:
    """The learnt choice between English and Spanish (``kapbot/language/language_choice.json``)."""

    weights: tuple[float, ...]  # one per ``features``
    bias: float
    switch: float  # from this probability of Spanish, a message outside Spanish talk is Spanish
    stay: float  # below this one, a message in a Spanish conversation is English
    word_weights: Mapping[str, float] = field(default_factory=dict)  # per ``language_words``

    def probability(self, text: str, signals: Signals) -> float:
        dense = sum(w * x for w, x in zip(self.weights, features(text, signals), strict=True))
        words = sum(self.word_weights.get(word, 0.0) for word in language_words(text))
        return logistic(self.bias + dense + words)


def choose(text: str, confidences: Mapping[Lang, float], allowed: Sequence[Lang],
           previous: Lang | None = None, signals: Signals | None = None,
           odds: SpanishOdds | None = None) -> Lang:
    """The message's language among ``allowed``. ``confidences``: the detector's, per language
    (may be empty when it is unavailable). ``previous``: the conversation's language so far.
    ``signals`` and ``odds``: the learnt choice between English and Spanish (module docstring).

    Without them, each language scores the detector's confidence plus ``CUE_WEIGHT`` per cue
    word more than the other; the best wins by ``MARGIN``. Either way, a message of one or two
    words needs a cue word of its language to leave the conversation's ("ok" or a name keeps
    it)."""
    fallback = previous if previous is not None and previous in allowed else allowed[0]
    if len(allowed) == 1:
        return allowed[0]
    counts = cue_counts(text)
    short = len(_WORD.findall(text.lower())) <= SHORT_WORDS
    if signals is not None and odds is not None and set(allowed) == {Lang.EN, Lang.ES}:
        level = odds.stay if fallback is Lang.ES else odds.switch
        best = Lang.ES if odds.probability(text, signals) >= level else Lang.EN
        return fallback if short and best is not fallback and counts[best] == 0 else best
    score = {lang: confidences.get(lang, 0.0) + CUE_WEIGHT * (
        counts.get(lang, 0) - max(counts.get(o, 0) for o in allowed if o is not lang))
        for lang in allowed}
    ranked = sorted(allowed, key=lambda lang: -score[lang])
    best, runner_up = ranked[0], ranked[1]
    if score[best] - score[runner_up] < MARGIN:
        return fallback
    if short and counts.get(best, 0) == 0:
        return fallback
    return best
