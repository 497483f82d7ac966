"""A deterministic synthetic corpus for the growth benchmark (benchmarks/bench.py).

``write_corpus(folder, n)`` writes n Markdown documents in the corpus format (front matter with a
title and url, an ``# H1`` title, three ``## `` sections of 60-100 words of English-like text)
and returns 20 questions made from their text. Same n, same files and questions, every run.
"""

from __future__ import annotations

import random
from pathlib import Path

ADJECTIVES = """quiet bright early gentle steady open careful simple patient honest calm warm
clear slow quick small large modern older kind curious hopeful thoughtful practical""".split()
NOUNS = """garden river morning window teacher journey harbor kitchen project letter village
market library meadow bridge lantern season habit routine practice question answer story
friend family neighbor weekend notebook pathway mountain harvest workshop studio festival
recipe bicycle compass painting orchard""".split()
VERBS = """builds carries finds keeps notices opens shares shapes follows gathers brings
explores remembers describes prepares changes welcomes organizes""".split()
LINKS = """and while because when after before although so""".split()
ARTICLES = """the every each this that one another""".split()
QUESTION_STARTS = ("what do you say about", "tell me about", "can you explain",
                   "what did you write on", "where do you talk about")


def _phrase(rng: random.Random) -> str:
    return f"{rng.choice(ARTICLES)} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def _sentence(rng: random.Random) -> str:
    clause = f"{_phrase(rng)} {rng.choice(VERBS)} {_phrase(rng)}"
    if rng.random() < 0.6:
        clause += f" {rng.choice(LINKS)} {_phrase(rng)} {rng.choice(VERBS)} {_phrase(rng)}"
    return clause[0].upper() + clause[1:] + "."


def _paragraph(rng: random.Random) -> str:
    target, sentences = rng.randint(60, 100), []
    while sum(len(s.split()) for s in sentences) < target:
        sentences.append(_sentence(rng))
    return " ".join(sentences)


def _title(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)]
    return " ".join(w.capitalize() for w in words)


def write_corpus(folder: Path, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed * 100_003 + n)
    folder.mkdir(parents=True, exist_ok=True)
    sentences: list[str] = []
    for number in range(1, n + 1):
        title = f"{_title(rng)} {number}"
        parts = [f"---\ntitle: {title}\nurl: https://example.com/doc-{number}\n---\n",
                 f"# {title}\n"]
        for _ in range(3):
            text = _paragraph(rng)
            parts.append(f"## {_title(rng)}\n\n{text}\n")
            sentences.append(text.split(". ")[0])
        (folder / f"doc-{number:04d}.md").write_text("\n".join(parts), encoding="utf-8")
    questions = []
    for sentence in rng.sample(sentences, 20):
        words = sentence.lower().rstrip(".").split()
        start = rng.randint(0, max(0, len(words) - 6))
        questions.append(f"{rng.choice(QUESTION_STARTS)} {' '.join(words[start:start + 6])}?")
    return questions
