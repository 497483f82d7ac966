"""Composing the reply a visitor reads. Pure: values in, an ``Answer`` out.

An answer quotes the therapist's sentences unchanged, in their order, attributed and cited; it
never adds words of its own to her text. Every reply of every kind ends with the disclaimer and
the booking link (``wording.footer``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kapbot import wording
from kapbot.models import Answer, Kind, RankedSection, Source, Suggestion
from kapbot.settings import Settings
from kapbot.text import word_count

GAP = " … "


@dataclass(frozen=True)
class Voice:
    """Who is named in replies, and the fixed ending."""

    practice: str
    therapist: str
    disclaimer: str
    booking_url: str
    booking_label: str = wording.BOOK_BUTTON  # the booking_label setting
    default_kind: str = "article"  # the default_kind setting: names an article in replies
    lang: str = "en"  # the language the reply is framed in: English templates are localized

    def say(self, template: str) -> str:
        return wording.fill(wording.localize(template, self.lang), practice=self.practice,
                            therapist=self.therapist)


def voice_for(settings: Settings, lang: str) -> Voice:
    """The voice replies in ``lang`` are framed in: its disclaimer, names filled in."""
    text = settings.disclaimer_es or wording.ES["DISCLAIMER"] if lang == "es" else \
        settings.disclaimer
    disclaimer = wording.fill(text, practice_name=settings.practice_name,
                              therapist_name=settings.therapist_name)
    return Voice(settings.practice_name, settings.therapist_name, disclaimer,
                 settings.booking_url, settings.booking_label, settings.default_kind, lang)


def select_sentences(
    scores: Sequence[float], lengths: Sequence[int], max_words: int, min_words: int = 40,
    keep_ratio: float = 0.5,
) -> list[int]:
    """Indices of the sentences to quote, in reading order.

    A passage that fits in ``max_words`` is quoted whole. Otherwise the best sentence (always,
    even alone over the limit: it is the one that answers), then its neighbours for context
    (the one before, then the one after) when they fit, then the next best while the quote is
    shorter than ``min_words`` or they score at least ``keep_ratio`` of the best, within
    ``max_words``. Ties keep reading order."""
    if not scores:
        return []
    if sum(lengths) <= max_words:
        return list(range(len(scores)))
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    first = order[0]
    best = scores[first]
    chosen = [first]
    used = lengths[first]
    for i in (first - 1, first + 1):
        if 0 <= i < len(scores) and used + lengths[i] <= max_words:
            chosen.append(i)
            used += lengths[i]
    for i in order[1:]:
        if i in chosen:
            continue
        wanted = used < min_words or scores[i] >= best * keep_ratio
        if wanted and used + lengths[i] <= max_words:
            chosen.append(i)
            used += lengths[i]
    return sorted(chosen)


def quote_text(sentences: Sequence[str], chosen: Sequence[int]) -> str:
    """Join chosen sentences; an ellipsis marks each place where the text was skipped."""
    parts: list[str] = []
    previous = -1
    for i in chosen:
        if parts and i != previous + 1:
            parts.append(GAP.strip())
        parts.append(sentences[i])
        previous = i
    out = " ".join(parts).replace(" " + GAP.strip() + " ", GAP)
    if chosen and chosen[0] > 0:
        out = "… " + out
    if chosen and chosen[-1] < len(sentences) - 1:
        out = out + " …"
    return out


def _escape(text: str) -> str:
    """Keep corpus text from being read as Markdown structure (it is quoted, not rendered)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _finish(question: str, kind: Kind, body: str, voice: Voice, sources: tuple[Source, ...] = (),
            candidates: tuple[RankedSection, ...] = (), reason: str = "") -> Answer:
    ending = wording.footer(voice.disclaimer, voice.booking_url, voice.booking_label,
                            voice.lang)
    text = body.rstrip() + "\n\n" + ending
    return Answer(question, kind, text, sources, voice.disclaimer, voice.booking_url,
                  candidates, reason, language=voice.lang)


def answer(
    question: str,
    passage: RankedSection,
    sentences: Sequence[str],
    sentence_scores: Sequence[float],
    voice: Voice,
    max_words: int,
    candidates: tuple[RankedSection, ...] = (),
    reason: str = "",
) -> Answer:
    section = passage.section
    chosen = select_sentences(sentence_scores, [word_count(s) for s in sentences], max_words)
    quote = quote_text(sentences, chosen)
    label = section.heading
    kind = voice.default_kind if section.doc_kind == "article" else section.doc_kind
    if voice.lang == "en":
        template = wording.ATTRIBUTION
    elif section.lang == voice.lang:  # a page in the visitor's language
        template = wording.ES_ATTRIBUTION_SAME_LANGUAGE
    else:  # says the therapist's writing is in English, then quotes it unchanged
        template = wording.localize(wording.ATTRIBUTION, voice.lang)
    attribution = wording.fill(template, therapist=voice.therapist,
                               doc_kind=wording.doc_kind(kind, voice.lang),
                               section=label)
    cite = section.title if label == section.title else f"{section.title} — {label}"
    cite = _escape(cite)
    link = f"[{cite}]({section.url})" if section.url else cite
    body = (
        f"{_escape(attribution)}\n\n> {_escape(quote)}\n\n"
        f"{wording.localize(wording.SOURCES_HEADING, voice.lang)} {link}"
    )
    source = Source(section.title, label, section.url, passage.score, quote)
    return _finish(question, "answer", body, voice, (source,), candidates, reason)


def with_resources(answer: Answer, resources: str) -> Answer:
    """The "concern" tier: the crisis resources first, then the reply as it was."""
    if answer.kind == "crisis":
        return dataclasses.replace(answer, safety="urgent")
    resources = wording.localize(resources, answer.language)
    return dataclasses.replace(answer, text=resources + "\n\n" + answer.text, safety="concern")


def with_reminder(answer: Answer, reminder: str) -> Answer:
    """Keep crisis resources in view for the rest of a conversation that had a crisis reply."""
    if answer.kind == "crisis":
        return answer
    reminder = wording.localize(reminder, answer.language)
    return dataclasses.replace(answer, text=reminder + "\n\n" + answer.text)


def fixed(question: str, kind: Kind, template: str, voice: Voice, reason: str = "",
          candidates: tuple[RankedSection, ...] = ()) -> Answer:
    """A reply in the assistant's own fixed words: no answer, crisis, medical, invalid."""
    return said(question, kind, voice.say(template), voice, reason, candidates)


def said(question: str, kind: Kind, body: str, voice: Voice, reason: str = "",
         candidates: tuple[RankedSection, ...] = ()) -> Answer:
    """``fixed``, for fixed words already said in ``voice`` (names filled in once)."""
    return _finish(question, kind, body, voice, (), candidates, reason)


def suggestions(ranked: Sequence[RankedSection], questions: Mapping[str, str] | None = None
                ) -> tuple[Suggestion, ...]:
    """"Did you mean" offers: each section with a question that gets it quoted (``questions``
    by section id, else its FAQ heading, else its first question-bank line, else its
    heading)."""
    out = []
    questions = questions or {}
    for r in ranked:
        section = r.section
        question = questions.get(section.id) or (section.heading if section.is_faq else (
            section.questions[0] if section.questions else section.heading))
        out.append(Suggestion(section.heading, section.title, question))
    return tuple(out)
