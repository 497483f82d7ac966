"""From a ranking and its decision to the reply: the best section quoted (its answering
sentence with its neighbours), or "not covered here"; with the "did you mean" offers and the
nearest known question (for the gaps report)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from kapbot import compose, wording
from kapbot.models import Answer
from kapbot.ranking.decide import Decision, decide
from kapbot.ranking.fusion import Ranking
from kapbot.ranking.search import SectionSearch
from kapbot.snapshot import Snapshot
from kapbot.text import split_sentences

Retrieve = Callable[[str, "list[float] | None"], tuple[Ranking, list[float], Snapshot]]


def best_reading(retrieve: Retrieve, embed: Callable[[str], list[float] | None],
                 question: str, vector: list[float] | None, parts: Sequence[str],
                 threshold: float) -> tuple[Ranking, list[float], Snapshot, Decision, str]:
    """Rank ``question`` and each of ``parts`` (its question sentences, ``kapbot.ranking.asked``)
    and take the reading the decision answers with the highest calibrated probability (the whole
    message on a tie): ranking, vector, snapshot, decision, and the text that was ranked. Chosen
    on the development sets over "the question sentences whenever they are answered", which
    quoted the right section for 2 fewer of evals/questions-dev2.jsonl."""
    ranking, used, snap = retrieve(question, vector)
    best = (ranking, used, snap, decide(ranking, threshold), question)
    for part in parts:
        ranking, used, snap = retrieve(part, embed(part))
        decision = decide(ranking, threshold)
        if (decision.answer, decision.probability) > (best[3].answer, best[3].probability):
            best = (ranking, used, snap, decision, part)
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
                               suggestions=compose.suggestions(decision.suggestions, questions),
                               confidence=decision.probability)
