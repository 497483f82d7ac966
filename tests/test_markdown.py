from __future__ import annotations

from kapbot.corpus.markdown import parse_document, slugify


def test_sections_headings_and_bank() -> None:
    doc = parse_document(
        "a.md",
        """---
title: My Article
url: https://example.org/a
kind: blog post
---
# Ignored because front matter names the title

Intro line one
continues here.

## Part One

Text one.

<!-- questions
- First question?
* second question
-->

## Empty heading

### Child?

Child text.
<!-- a note for editors -->
""",
    )
    assert doc.title == "My Article"
    assert doc.url == "https://example.org/a"
    assert [s.heading_path for s in doc.sections] == [
        ("My Article",),
        ("My Article", "Part One"),
        ("My Article", "Empty heading", "Child?"),
    ]
    intro, part, child = doc.sections
    assert intro.text == "Intro line one continues here."
    assert intro.id == "a.md#intro"
    assert part.id == "a.md#part-one"
    assert part.questions == ("First question?", "second question")
    assert part.doc_kind == "blog post"
    assert child.is_faq and not part.is_faq
    assert child.text == "Child text."
    assert "editors" not in child.text
    assert doc.problems == ()


def test_title_falls_back_to_h1_then_file_name() -> None:
    assert parse_document("x.md", "# Real Title\n\nBody.").title == "Real Title"
    assert parse_document("notes/my-notes.txt", "Just text.").title == "My notes"


def test_problems_are_reported_with_line_and_rest_loads() -> None:
    doc = parse_document(
        "b.md",
        "---\ntitle: [unclosed\n---\n# T\n\nGood text.\n\n<!-- questions\n"
        "not a list item\n- fine?\n",
    )
    assert any(p.startswith("b.md:2:") for p in doc.problems)
    assert any("b.md:9:" in p and "'- '" in p for p in doc.problems)
    assert any("never closed" in p for p in doc.problems)
    assert doc.sections[0].text == "Good text."
    assert doc.sections[0].questions == ("fine?",)


def test_duplicate_headings_get_distinct_ids() -> None:
    doc = parse_document("c.md", "# T\n\n## Notes\n\nOne.\n\n## Notes\n\nTwo.\n")
    assert [s.id for s in doc.sections] == ["c.md#notes", "c.md#notes-2"]


def test_not_covered_document_keeps_its_questions() -> None:
    doc = parse_document("nc.md", "---\nkind: not-covered\n---\n<!-- questions\n- price?\n-->\n")
    assert len(doc.sections) == 1
    assert doc.sections[0].questions == ("price?",)
    assert doc.sections[0].text == ""


def test_slugify() -> None:
    assert (
        slugify("Why Ketamine Alone Isn’t Always Enough") == "why-ketamine-alone-isnt-always-enough"
    )
    assert slugify("???") == "section"
