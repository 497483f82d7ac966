"""From a ranking and its decision to the reply: the best section quoted (its answering
sentence with its neighbours), or "not covered here"; with the "did you mean" offers and the
nearest known question (for the gaps report)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from kapbot import compose, wording
from kapbot.followup import Reading, read
from kapbot.index.snapshot import Snapshot
from kapbot.models import Answer
from kapbot.ranking import asked
from kapbot.ranking.decide import Decision, decide
from kapbot.ranking.fusion import Ranking
from kapbot.ranking.search import SectionSearch
from kapbot.text import split_sentences

Retrieve = Callable[[str, "list[float] | None"], tuple[Ranking, list[float], Snapshot]]


def alternatives(message: str, reading: Reading, history: Sequence[str]) -> tuple[Reading, ...]:
    """Other readings of ``message`` to rank beside ``reading`` (the one ``read`` chose); the
    decision takes the one it answers with the highest probability. A follow-up may stand on
    its own after all ("and in person, where?"): the message alone, when the follow-up reading
    is not answered ("and in winter?" after a question on watering stays with watering, though
    alone it would be about pruning). Any other message: its question sentences (``asked``)
    and, after an earlier question, the message read with it, which counts only if it stays
    in the section the message alone puts first: a follow-up the model did not read as one is
    answered surer, a new topic ("Do you take insurance?" after a question on integration) is
    not pulled to the earlier one. A message that may lean on the earlier one
    (``Reading.may_lean``) is instead read with it only when no other reading is
    answered, and may then be answered from any section ("what would that actually look like
    though", refused alone)."""
    if reading.is_follow_up:
        return (Reading(message, only_if_unanswered=True),)
    out = tuple(Reading(sentence) for sentence in asked.readings(message)[1:])
    if history:
        before = read(history[-1], history[:-1]).text
        out += (Reading(f"{before} {message}", before, only_if_unanswered=reading.may_lean,
                        any_section=reading.may_lean),)
    return out


def best_reading(retrieve: Retrieve, embed: Callable[[str], list[float] | None],
                 question: str, vector: list[float] | None, parts: Sequence[Reading],
                 threshold: float) -> tuple[Ranking, list[float], Snapshot, Decision, str]:
    """Rank ``question`` and each of ``parts`` (other readings of the message,
    ``alternatives``) and take the reading the decision answers with the highest
    calibrated probability (``question`` on a tie): ranking, vector, snapshot, decision, and the
    text that was ranked. A part read with an earlier question (``follows``) counts only when
    its first section is the one ``question`` alone puts first: the context makes the reply
    surer, never moves it to another section ("Do you take insurance?" after a question on
    integration is not read as one on integration), unless it may (``any_section``: a
    message that may lean on the earlier one). Such a part, and a part
    ``only_if_unanswered``, is ranked only when no reading before it is answered, so an
    answered message costs no more rankings. Chosen on the development
    sets over "the question sentences whenever they are answered", which quoted the right
    section for 2 fewer of evals/questions-dev2.jsonl."""
    ranking, used, snap = retrieve(question, vector)
    best = (ranking, used, snap, decide(ranking, threshold), question)
    alone = ranking.top
    for part in parts:
        if (part.only_if_unanswered or part.is_follow_up) and best[3].answer:
            continue  # not even ranked
        ranking, used, snap = retrieve(part.text, embed(part.text))
        decision = decide(ranking, threshold)
        if (decision.answer, decision.probability) <= (best[3].answer, best[3].probability):
            continue
        if part.is_follow_up and not part.any_section and (
                alone is None or ranking.top is None
                or ranking.top.section.id != alone.section.id):
            continue
        best = (ranking, used, snap, decision, part.text)
    return best


def from_ranking(search: SectionSearch, snap: Snapshot, question: str, vector: list[float],
                 ranking: Ranking, decision: Decision, voice: compose.Voice, max_words: int,
                 medical: bool, use_bank: bool) -> Answer:
    top = ranking.top
    if not decision.answer or top is None:
        answer = compose.fixed(question, "no_answer", wording.NO_ANSWER, voice,
                               decision.reason, ranking.sections[:5])
    else:
        sentences = split_sentences(top.section.text)
        scores = search.sentence_scores(snap, question, vector, top.section, sentences)
        answer = compose.answer(question, top, sentences, scores, voice, max_words,
                                ranking.sections[:5],
                                decision.reason + ("; the writing answers this medical-"
                                                   "sounding question" if medical else ""))
    questions = {r.section.id: search.clearest_question(snap, r.section.id, use_bank)
                 for r in decision.suggestions}
    return dataclasses.replace(answer, topic=ranking.nearest_question,
                               topic_section=ranking.nearest_section,
                               topic_similarity=ranking.nearest_similarity,
                               suggestions=compose.suggestions(decision.suggestions, questions),
                               confidence=decision.probability)
