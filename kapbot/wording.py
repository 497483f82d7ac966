"""Every sentence kapbot itself says to a visitor. Wording is content: tests pin it exactly.

The therapist's own words come from the corpus; everything here is the assistant speaking, in its
own voice, never as the therapist. ``{practice}``, ``{therapist}``, ``{booking_url}`` are filled
from settings.
"""

from __future__ import annotations

import re

BOOKING_LINK = "[{booking_label}]({booking_url})"  # booking_label: a setting

ATTRIBUTION = "From {therapist}'s {doc_kind}, *{section}*:"

SOURCES_HEADING = "**Source:**"

NO_ANSWER = (
    "I'm sorry, {therapist}'s writing doesn't cover that, so I can't answer it here. "
    "A free discovery call is the best place to ask {therapist} directly."
)

NOT_ENGLISH = (
    "I'm sorry, I can only read questions in English for now, and {therapist}'s writing is in "
    "English. A free discovery call is the best place to ask {therapist} directly."
)

CRISIS = (
    "I'm really sorry you're going through this. You deserve support right now, from a person.\n\n"
    "- **Call or text 988** (Suicide & Crisis Lifeline, 24/7), or chat at 988lifeline.org\n"
    "- **Text HOME to 741741** (Crisis Text Line)\n"
    "- **Call 911** if you or someone else is in immediate danger.\n\n"
    "This chat is automated and is not monitored, so it can't help in an emergency."
)

MEDICAL = (
    "I can't give medical advice, such as doses, medication interactions, or whether ketamine is "
    "safe for you. Those decisions belong to your prescribing medical provider, who knows your "
    "health history. A free discovery call is a good place to ask how {therapist} works with "
    "medical providers."
)

INVALID = {
    "empty": "It looks like your message was empty. What would you like to know about "
    "ketamine-assisted psychotherapy?",
    "too_long": "That message is longer than I can read ({limit:,} characters at most). Could you "
    "ask your question in a sentence or two?",
    "not_text": "I couldn't read that message as text. Could you type your question in words?",
}

SCOPE = (
    "I can only share what {therapist}'s writing says about ketamine-assisted psychotherapy, so I "
    "can't diagnose or assess anyone, take on another role, or follow other instructions. A free "
    "discovery call is the best place to talk with {therapist} directly."
)

CRISIS_MARKER = "(Suicide & Crisis Lifeline, 24/7)"  # how the chat page recognises a crisis reply

# Shown above the normal reply when a message may be about suicide or self-harm (the "concern"
# tier): the resources first, then the answer. Not a crisis reply: no lasting reminder follows.
CONCERN = (
    "If you're having thoughts of suicide or self-harm, or you're worried about someone, you can "
    "talk to a person right now:\n\n"
    "- **Call or text 988** (the Suicide & Crisis Lifeline, any time), or chat at 988lifeline.org\n"
    "- **Call 911** if you or someone else is in immediate danger.\n\n---"
)

CRISIS_REMINDER = (
    "*If you're in crisis: call or text **988**, text **HOME** to **741741**, or call **911**.*"
)

UNAVAILABLE = (
    "I'm sorry, I can't look up {therapist}'s writing right now. Please try again in a few "
    "minutes, or book a free discovery call to ask {therapist} directly."
)

RATE_LIMITED = (
    "You've sent a lot of questions in a short time. Please wait a minute and try again."
)

# the chat's own refusals (kapbot.webguard), shown by the chat page as an error
CHAT_TOO_BIG = "That was more than the chat can take at once. Please reload the page and try again."
CHAT_BUSY = (
    "The chat is very busy right now. Please try again in a minute. If you are in crisis, call "
    "or text 988, or call 911."
)

# -- the chat page -------------------------------------------------------------------------------

PAGE_TITLE = "Questions about ketamine-assisted psychotherapy"

NOTICE = (
    "**You're chatting with an automated assistant**, not {therapist} or any clinician. It quotes "
    "{therapist}'s published writing and can't give medical advice. It is for adults, it is not "
    "monitored, and it is not for emergencies: in a crisis call or text **988**, or call "
    "**911**. Please don't share personal health details here. "
    "[How this assistant handles safety and privacy](/safety)"
)

STARTERS = (
    "What is ketamine integration?",
    "Do I need a therapist for ketamine therapy?",
    "What happens during a ketamine session?",
    "Is ketamine-assisted therapy right for me?",
)

INPUT_PLACEHOLDER = "Type your question…"
CHAT_PLACEHOLDER = (
    "Ask about ketamine-assisted psychotherapy, preparation, sessions or integration."
)
SEND = "Send"
CHAT_LABEL = "Chat"
STARTERS_LABEL = "Try asking"
SUGGESTIONS_LABEL = "Did you mean:"  # above the "did you mean" buttons in the chat
BOOK_BUTTON = "Book a free discovery call"  # the default of the booking_label setting
INPUT_LABEL = "Your question"
# the chat's compact source chip under a quoted answer: "Dana's article · Preparation"
SOURCE_CHIP = "{therapist}'s {doc_kind} · {section}"
SOURCE_KIND_FALLBACK = "writing"
# the disclosure, one line on first open ("more" shows NOTICE); it stays, smaller, after use
NOTICE_SHORT = (
    "**Automated assistant**, not {therapist}. Not for emergencies: call or text **988**, "
    "or call **911**."
)
NOTICE_MORE = "more"
TYPING = "Looking through the writing…"

STORAGE_OFF = "What you type is not stored and not written to any log."
STORAGE_ON = (
    "What you type is kept on the practice's own server for {days} days, so the practice can see "
    "what its writing does not yet answer, and then deleted; it is never written to logs or "
    "shared."
)

DISCLAIMER_BLOCK = "---\n*{disclaimer}*"


def fill(template: str, **values: object) -> str:
    """Fill ``{name}`` fields without interpreting anything else in the values."""
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return re.sub(r"\{(\w+)\}", one, template)


def footer(disclaimer: str, booking_url: str, booking_label: str = BOOK_BUTTON) -> str:
    """The fixed ending of every reply of every kind (``booking_label``: the setting)."""
    return (
        fill(DISCLAIMER_BLOCK, disclaimer=disclaimer)
        + "\n\n"
        + fill(BOOKING_LINK, booking_url=booking_url, booking_label=booking_label)
    )


def starters(setting: str) -> list[str]:
    """The chat's example questions: the ``starter_questions`` setting ("a | b"), else ours."""
    return [q.strip() for q in setting.split("|") if q.strip()] or list(STARTERS)


def invalid(problem: str, limit: int) -> str:
    return INVALID[problem].replace("{limit:,}", f"{limit:,}")
