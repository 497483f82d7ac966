"""A "did you mean" button says a bank line as a visitor would read it on a button."""

from __future__ import annotations

import pytest

from kapbot.ranking.search import reads_as_a_question, tidy_question


@pytest.mark.parametrize(("line", "reads"), [
    ("how do i book a discovery call", False),  # no question mark: a second choice
    ("How do I book a discovery call?", True),
    ("My trip was super weird and dreamlike. Is that normal?", False),  # someone's own story
    ("i felt nothing during my session, did it work?", False),
    ("Is it ok to do ketamine without a therapist?", True),
    ("¿Cuánto cuesta una sesión?", True),
    ("Cost?", False),  # too short to say what it asks
    ("What happens if I have a hard time during the session and want to stop it early?", False),
])
def test_which_lines_read_as_a_question(line: str, reads: bool) -> None:
    assert reads_as_a_question(line) is reads


@pytest.mark.parametrize(("line", "said"), [
    ("how do i book a discovery call", "How do I book a discovery call?"),
    ("what if i'm nervous?", "What if I'm nervous?"),
    ("Do you take insurance?", "Do you take insurance?"),
    ("tell me about integration.", "Tell me about integration."),  # not a question
    ("is microdosing a thing.", "Is microdosing a thing?"),
    ("¿cuánto cuesta?", "¿cuánto cuesta?"),
])
def test_a_line_is_tidied_for_its_button(line: str, said: str) -> None:
    assert tidy_question(line) == said
