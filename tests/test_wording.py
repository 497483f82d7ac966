"""Pinned wording: a change to what visitors read shows up here as a diff."""

from __future__ import annotations

from kapbot import wording
from kapbot.settings import Settings


def test_crisis_wording() -> None:
    assert wording.CRISIS == (
        "I'm really sorry you're going through this. You deserve support right now, from a "
        "person.\n\n"
        "- **Call or text 988** (Suicide & Crisis Lifeline, 24/7), or chat at 988lifeline.org\n"
        "- **Text HOME to 741741** (Crisis Text Line)\n"
        "- **Call 911** if you or someone else is in immediate danger.\n\n"
        "This chat is automated and is not monitored, so it can't help in an emergency."
    )


def test_medical_wording() -> None:
    assert wording.MEDICAL == (
        "I can't give medical advice, such as doses, medication interactions, or whether "
        "ketamine is safe for you. Those decisions belong to your prescribing medical provider, "
        "who knows your health history. A free discovery call is a good place to ask how "
        "{therapist} works with medical providers."
    )


def test_other_wording() -> None:
    assert wording.ATTRIBUTION == "From {therapist}'s {doc_kind}, *{section}*:"
    assert wording.BOOKING_LINK == "[{booking_label}]({booking_url})"
    assert wording.BOOK_BUTTON == "Book a free discovery call"  # booking_label's default
    assert wording.footer("Not advice.", "https://b.example", "Book a consultation") == (
        "---\n*Not advice.*\n\n[Book a consultation](https://b.example)")
    assert wording.starters(" What are your fees? | | Can I drive home? ") == [
        "What are your fees?", "Can I drive home?"]
    assert wording.starters("") == list(wording.STARTERS)
    assert wording.footer("Not advice.", "https://b.example").endswith(
        "[Book a free discovery call](https://b.example)")
    assert wording.NO_ANSWER == (
        "I'm sorry, {therapist}'s writing doesn't cover that, so I can't answer it here. "
        "A free discovery call is the best place to ask {therapist} directly."
    )
    assert wording.invalid("too_long", 2000) == (
        "That message is longer than I can read (2,000 characters at most). Could you ask your "
        "question in a sentence or two?"
    )
    assert wording.invalid("empty", 1).startswith("It looks like your message was empty.")


def test_disclosure_and_reminder_wording() -> None:
    assert wording.NOTICE == (
        "**You're chatting with an automated assistant**, not {therapist} or any clinician. It "
        "quotes {therapist}'s published writing and can't give medical advice. It is for adults, "
        "it is not monitored, and it is not for emergencies: in a crisis call or text **988**, or "
        "call **911**. Please don't share personal health details here. "
        "[How this assistant handles safety and privacy](/safety)"
    )
    assert wording.CRISIS_REMINDER == (
        "*If you're in crisis: call or text **988**, text **HOME** to **741741**, or call "
        "**911**.*"
    )
    assert wording.CRISIS_MARKER in wording.CRISIS
    assert wording.SCOPE == (
        "I can only share what {therapist}'s writing says about ketamine-assisted psychotherapy, "
        "so I can't diagnose or assess anyone, take on another role, or follow other "
        "instructions. A free discovery call is the best place to talk with {therapist} directly."
    )
    assert wording.CONCERN == (
        "If you're having thoughts of suicide or self-harm, or you're worried about someone, you "
        "can talk to a person right now:\n\n"
        "- **Call or text 988** (the Suicide & Crisis Lifeline, any time), or chat at "
        "988lifeline.org\n"
        "- **Call 911** if you or someone else is in immediate danger.\n\n---"
    )
    # a concern reply is not a crisis reply: no lasting reminder follows it
    assert wording.CRISIS_MARKER not in wording.CONCERN


def test_default_disclaimer() -> None:
    assert Settings().disclaimer_text.startswith(
        "This is an automated assistant that quotes the therapist's published writing; it is not "
        "the therapist or any other clinician.")
    assert Settings(therapist_name="Dana Nassau").disclaimer_text == (
        "This is an automated assistant that quotes Dana Nassau's published writing; it is not "
        "Dana Nassau or any other clinician. It cannot give medical or mental-health advice and "
        "is not for emergencies: in a crisis, call or text 988, or call 911."
    )


def test_fill_does_not_interpret_values() -> None:
    assert wording.fill("{a} {b}", a="{b}", b="x") == "{b} x"
    assert wording.fill("{unknown} {a}", a="1") == "{unknown} 1"
    assert wording.fill("{therapist}", therapist="{0} %s") == "{0} %s"


def test_chat_refusal_wording() -> None:
    assert wording.CHAT_TOO_BIG == (
        "That was more than the chat can take at once. Please reload the page and try again."
    )
    assert wording.CHAT_BUSY == (
        "The chat is very busy right now. Please try again in a minute. If you are in crisis, "
        "call or text 988, or call 911."
    )


def test_chat_page_wording() -> None:
    """The widget's own labels (issue 14): the notice's one line keeps 988 and 911."""
    assert wording.NOTICE_SHORT == (
        "**Automated assistant**, not {therapist}. Not for emergencies: call or text **988**, "
        "or call **911**."
    )
    assert wording.NOTICE_MORE == "more"
    assert wording.SOURCE_CHIP == "{therapist}'s {doc_kind} · {section}"
    assert wording.SOURCE_KIND_FALLBACK == "writing"
    assert wording.TYPING == "Looking through the writing…"
    assert wording.INPUT_LABEL == "Your question"


def test_suggestions_label() -> None:
    assert wording.SUGGESTIONS_LABEL == "Did you mean:"
