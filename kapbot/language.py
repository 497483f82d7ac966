"""Which language a visitor writes in. Pure: the detector's confidences (``kapbot.langdetect``)
and the message's own cues in, a ``Lang`` out.

A short or mixed message (Spanglish, "ok", "gracias") is decided by its function words and
Spanish marks (¿ ¡ ñ, accents) when the detector is unsure; when both are unsure, the
conversation keeps its language (``previous``), or the first configured one. A visitor who
switches, with a clear message in the other language, is followed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

from kapbot.errors import ConfigError


class Lang(StrEnum):
    EN = "en"
    ES = "es"


CUE_WEIGHT = 0.2  # a cue word more than the other language's counts as this much confidence
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
    words = _WORD.findall(text.lower())
    counts = {lang: sum(1 for w in words if w in CUES[lang]) for lang in CUES}
    counts[Lang.ES] += 2 * sum(text.count(mark) for mark in "¿¡ñÑ")
    counts[Lang.ES] += sum(1 for w in words if re.search(r"[áéíóú]", w) and w not in CUES[Lang.ES])
    return counts


def choose(text: str, confidences: Mapping[Lang, float], allowed: Sequence[Lang],
           previous: Lang | None = None) -> Lang:
    """The message's language among ``allowed``. ``confidences``: the detector's, per language
    (may be empty when it is unavailable). ``previous``: the conversation's language so far.

    Each language scores the detector's confidence plus ``CUE_WEIGHT`` per cue word more than
    the other; the best wins by ``MARGIN``. A message of one or two words needs a cue word of its
    language to leave the conversation's ("ok" or a name keeps it)."""
    fallback = previous if previous is not None and previous in allowed else allowed[0]
    if len(allowed) == 1:
        return allowed[0]
    counts = cue_counts(text)
    score = {lang: confidences.get(lang, 0.0) + CUE_WEIGHT * (
        counts.get(lang, 0) - max(counts.get(o, 0) for o in allowed if o is not lang))
        for lang in allowed}
    ranked = sorted(allowed, key=lambda lang: -score[lang])
    best, runner_up = ranked[0], ranked[1]
    if score[best] - score[runner_up] < MARGIN:
        return fallback
    if len(_WORD.findall(text.lower())) <= 2 and counts.get(best, 0) == 0:
        return fallback
    return best
