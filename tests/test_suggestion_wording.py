"""A "did you mean" button says a bank line as a visitor would read it on a button."""

from __future__ import annotations

import pytest

from kapbot.ranking.search import (
    reads_as_a_question,
    spanish_button,
    tidy_question,
    tidy_spanish_question,
)


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


@pytest.mark.parametrize(("line", "asks"), [
    ("¿Qué debo evitar después de la sesión?", True),
    ("que pasa cuando se acaba el efecto de la medicina?", True),
    ("la playlist la haces tu o llevo mi musica?", True),
    ("se puede hacer online or in person?", False),  # Spanglish: the chat would switch
    ("How do I book a discovery call?", False),  # English
    ("yo tuve un mal viaje una vez, es normal?", False),  # someone's own story
    ("que es el afterglow? y cuanto dura?", False),  # two questions
    ("que hago despues de la sesion de ketamina", False),  # no question mark
])
def test_which_lines_a_spanish_button_can_ask(line: str, asks: bool) -> None:
    assert spanish_button(line) is asks


@pytest.mark.parametrize(("line", "said"), [
    ("que debo evitar despues?", "¿Que debo evitar despues?"),
    ("¿qué es la integración?", "¿Qué es la integración?"),
    ("Con terapia, ¿los resultados duran más?", "Con terapia, ¿los resultados duran más?"),
])
def test_a_spanish_line_is_tidied_for_its_button(line: str, said: str) -> None:
    assert tidy_spanish_question(line) == said
