from __future__ import annotations

from kapbot.corpus.chunking import chunk_sections, tutorial_chunks
from kapbot.corpus.markdown import parse_document

LONG = " ".join(f"Sentence number {i} talks about gardens and water." for i in range(60))


def test_units_ids_and_faq_kept_together() -> None:
    doc = parse_document(
        "g.md",
        f"# G\n\n## Long\n\n{LONG}\n\n## FAQ\n\n### Why water?\n\n"
        "Because plants drink. They need it.\n<!-- questions\n- thirsty?\n-->\n",
    )
    units = chunk_sections(doc.sections, chunk_size=300, chunk_overlap=50)
    ids = [u.id for u in units]
    assert len(ids) == len(set(ids))
    passages = [u for u in units if u.type == "passage"]
    long_parts = [u for u in passages if u.section_id == "g.md#long"]
    assert len(long_parts) > 1
    assert [u.id for u in long_parts][:2] == ["g.md#long-1", "g.md#long-2"]
    assert all(u.text.startswith("Long\n") for u in long_parts)  # heading path as context
    assert all(len(u.quote) <= 300 for u in long_parts)
    faq = [u for u in passages if u.section_id == "g.md#why-water"]
    assert len(faq) == 1 and faq[0].quote == "Because plants drink. They need it."
    questions = [u for u in units if u.type == "question" and u.section_id == "g.md#why-water"]
    assert [(q.text, q.origin) for q in questions] == [
        ("Why water?", "heading"),
        ("thirsty?", "bank"),
    ]
    sentences = [u for u in units if u.type == "sentence" and u.section_id == "g.md#why-water"]
    assert [s.quote for s in sentences] == ["Because plants drink.", "They need it."]


def test_chunking_is_deterministic_and_never_heading_only() -> None:
    text = "# T\n\n## Only heading\n\n## Has text\n\nSome text here.\n"
    doc = parse_document("t.md", text)
    first = chunk_sections(doc.sections)
    assert first == chunk_sections(parse_document("t.md", text).sections)
    assert all(u.quote.strip() for u in first if u.type != "question")
    assert {u.section_id for u in first} == {"t.md#has-text"}


def test_tutorial_chunks_are_1000_200() -> None:
    chunks = tutorial_chunks(LONG * 3)
    assert len(chunks) > 3
    assert all(len(c) <= 1000 for c in chunks)
