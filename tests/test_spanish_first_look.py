"""evals/spanish_first_look.py: what counts as a reply framed in Spanish."""

from __future__ import annotations

import sys

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "evals"))
import spanish_first_look as look

TITLE = "The Power of Integration: The Benefits of Combining Therapy with Ketamine Treatment"
REPLY = (f"Dana escribe en inglés, así que esta cita de su artículo, *{TITLE}*, va en inglés:\n\n"
         "> While ketamine journeys are most often positive, it's important to note that...\n\n"
         f"**Fuente:** {TITLE}\n\n---\n*No puede dar consejos médicos: llame al 988.*\n\n"
         "[Reserve una llamada](https://example.org/book)")


def test_the_sources_titles_are_not_the_replys_own_words() -> None:
    assert look.spanish_frame(REPLY, [TITLE])
    assert not look.spanish_frame(REPLY)  # counted as its own words, they outweigh the Spanish
    assert not look.spanish_frame("From Dana's article, *Integration*, about the way it works:\n"
                                  "> Integration happens within 48 hours.", ["Integration"])


def test_framing_is_scored_both_ways() -> None:
    reply = {"kind": "answer", "text": REPLY, "booking_url": "https://example.org/book",
             "disclaimer": "No puede dar consejos médicos: llame al 988.",
             "sources": [{"title": "T", "section": TITLE}]}
    case = {"id": "x", "message": "¿y un mal viaje?", "expect": "answer", "sentence": "Nope."}
    scores = look.score([case], [reply])
    assert scores["replies in Spanish framing, with disclaimer and booking link"] == (1, 1)
    assert scores["… the same, the titles counted as the reply's own words (the scorer before "
                  "e7)"] == (0, 1)
