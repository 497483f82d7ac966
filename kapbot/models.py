"""The typed values passed between kapbot's steps.

corpus → ``Document``/``Section`` → chunking → ``Unit`` (what the index holds) → ranking →
``RankedSection`` (a section with the scores that placed it) → composition → ``Answer`` (with
``Source``s and, when the best section was not clearly ahead, ``Suggestion``s).
No LangChain or Chroma object crosses these seams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["answer", "no_answer", "crisis", "medical", "invalid", "greeting",
               "acknowledgement"]
KINDS: tuple[Kind, ...] = ("answer", "no_answer", "crisis", "medical", "invalid", "greeting",
                           "acknowledgement")
FAQ_HEADING = "heading"  # the origin of a question unit that is an FAQ entry's own heading
UnitType = Literal["passage", "sentence", "question"]


@dataclass(frozen=True)
class Section:
    """A heading and the therapist's text under it (its own text, not its sub-sections')."""

    id: str  # "file.md#slug"
    doc: str  # file name inside the corpus folder
    title: str  # the document's title
    heading_path: tuple[str, ...]  # from the document title down to this heading
    text: str  # paragraphs joined by blank lines, exactly as written
    url: str = ""
    doc_kind: str = "article"
    questions: tuple[str, ...] = ()  # the question bank for this section
    line: int = 0  # 1-based line of the heading in the source file
    lang: str = "en"  # the document's language (front matter ``lang``)

    @property
    def heading(self) -> str:
        return self.heading_path[-1]

    @property
    def is_faq(self) -> bool:
        """An FAQ entry: a question heading below the title, answered by its text."""
        return len(self.heading_path) > 1 and self.heading.rstrip().endswith("?")

    @property
    def own_questions(self) -> tuple[str, ...]:
        """The questions the practice wrote for this section: its bank lines, and an FAQ
        entry's heading."""
        return (*self.questions, *((self.heading,) if self.is_faq else ()))


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    sections: tuple[Section, ...]
    url: str = ""
    kind: str = "article"
    problems: tuple[str, ...] = ()  # parse warnings: "file:line: what is wrong"


@dataclass(frozen=True)
class Unit:
    """One thing the index holds: a passage, a sentence, or a question that points at a section."""

    id: str
    type: UnitType
    section_id: str
    text: str  # what is embedded and matched (passages carry their heading path)
    quote: str  # the therapist's words, unchanged ("" for questions)
    origin: str = "text"  # "text", FAQ_HEADING (an FAQ question) or "bank"
    position: int = 0

    def metadata(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "section_id": self.section_id,
            "quote": self.quote,
            "origin": self.origin,
            "position": self.position,
        }


@dataclass(frozen=True)
class RankedSection:
    """A section ranked for one question, with the scores that placed it."""

    section: Section
    score: float
    signals: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Source:
    title: str
    section: str
    url: str
    score: float
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "section": self.section,
            "url": self.url,
            "score": round(self.score, 4),
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Suggestion:
    """A section offered as "did you mean": asking ``question`` gets that section quoted."""

    section: str  # its heading
    title: str  # its document's title
    question: str  # a question it answers (its FAQ heading or first bank line, else heading)

    def to_dict(self) -> dict[str, str]:
        return {"section": self.section, "title": self.title, "question": self.question}


@dataclass(frozen=True)
class Answer:
    question: str  # the question as kapbot read it (markup removed)
    kind: Kind
    text: str  # the whole reply as a visitor sees it (Markdown)
    sources: tuple[Source, ...]
    disclaimer: str
    booking_url: str
    candidates: tuple[RankedSection, ...] = field(default=(), compare=False)
    reason: str = ""  # why this kind: a rule name, a score; for review and eval, not visitors
    safety: str = "none"  # the safety tier: "none", "concern" (resources above) or "urgent"
    crisis_probability: float = field(default=0.0, compare=False)  # the screen's, for review
    safety_detail: str = field(default="", compare=False)  # what decided the tier, for review
    topic: str = field(default="", compare=False)  # nearest corpus question (gaps report)
    topic_section: str = field(default="", compare=False)  # the section holding that question
    topic_similarity: float = field(default=0.0, compare=False)  # the question's to that one
    suggestions: tuple[Suggestion, ...] = ()  # "did you mean": other sections to ask about
    confidence: float = field(default=0.0, compare=False)  # calibrated P(the best section answers)
    language: str = "en"  # the language the reply is framed in ("en", "es")

    def to_dict(self) -> dict[str, Any]:
        """The public JSON contract (README, "JSON contract")."""
        return {
            "question": self.question,
            "kind": self.kind,
            "text": self.text,
            "sources": [s.to_dict() for s in self.sources],
            "disclaimer": self.disclaimer,
            "booking_url": self.booking_url,
            "safety": self.safety,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "language": self.language,
        }
