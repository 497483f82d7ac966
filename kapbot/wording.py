"""Every sentence kapbot itself says to a visitor. Wording is content: tests pin it exactly.

The therapist's own words come from the corpus; everything here is the assistant speaking, in its
own voice, never as the therapist. ``{practice}``, ``{therapist}``, ``{booking_url}``: settings.
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
    "*If you're in crisis: call or text **988**, text **HOME** to **741741**, or call **911**.*")
# after a crisis reply to a message mixing the languages (choice.UNSURE): the other one's line
CRISIS_OTHER_LANGUAGE = "**In English:** call or text **988**, or call **911**."
# under CONCERN when the message asks nothing ("I want to die"): no quote from the writing
CONCERN_NOTHING_ASKED = (
    "I'm an automated assistant, so I can't help in a crisis, but the people at those numbers "
    "can, any time. If you have a question about ketamine-assisted therapy, I can share what "
    "{therapist} has written.")
UNAVAILABLE = (
    "I'm sorry, I can't look up {therapist}'s writing right now. Please try again in a few "
    "minutes, or book a free discovery call to ask {therapist} directly."
)

# a content-free message (kapbot.smalltalk); the starter questions follow it, as buttons
GREETING = "Hello! What would you like to know? You could start with one of these questions:"
THANKS = "You're welcome! What else would you like to know? You could ask one of these:"
ACKNOWLEDGEMENT = "What would you like to know? Ask in your own words, or try one of these:"
RATE_LIMITED = "You've sent a lot of questions in a short time. Please wait a minute and try again."

# the chat's own refusals (kapbot.web.webguard), shown by the chat page as an error
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
STARTERS = ("What is ketamine integration?", "Do I need a therapist for ketamine therapy?",
            "What happens during a ketamine session?", "Is ketamine-assisted therapy right for me?")

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
# the chat's compact source chip under a quoted answer: "Pat's article · Preparation"
SOURCE_CHIP = "{therapist}'s {doc_kind} · {section}"
SOURCE_KIND_FALLBACK = "writing"
# the disclosure, one line on first open ("more" shows NOTICE); it stays, smaller, after use
NOTICE_SHORT = ("**Automated assistant**, not {therapist}. Not for emergencies: call or text "
                "**988**, or call **911**.")
NOTICE_MORE = "more"
TYPING = "Looking through the writing…"

STORAGE_OFF = "What you type is not stored and not written to any log."
STORAGE_ON = (
    "What you type is kept on the practice's own server for {days} days, so the practice can see "
    "what its writing does not yet answer, and then deleted; it is never written to logs or "
    "shared."
)

DISCLAIMER_BLOCK = "---\n*{disclaimer}*"

# the /safety page around docs/safety.md (docs/safety.es.md for /safety?lang=es)
SAFETY_TITLE = "Safety and privacy"
BACK_TO_CHAT = "Back to the chat"
CHAT_HOME = "/"  # where that link goes: the chat, in the page's language


def fill(template: str, **values: object) -> str:
    """Fill ``{name}`` fields without interpreting anything else in the values."""
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return re.sub(r"\{(\w+)\}", one, template)


def footer(disclaimer: str, booking_url: str, booking_label: str = BOOK_BUTTON,
           lang: str = "en") -> str:
    """The fixed ending of every reply of every kind (``booking_label``: the setting; its
    default is said in ``lang``)."""
    if booking_label == BOOK_BUTTON:
        booking_label = phrase("BOOK_BUTTON", lang)
    return (
        fill(DISCLAIMER_BLOCK, disclaimer=disclaimer)
        + "\n\n"
        + fill(BOOKING_LINK, booking_url=booking_url, booking_label=booking_label)
    )


def starters(setting: str) -> list[str]:
    """The chat's example questions: the ``starter_questions`` setting ("a | b"), else ours."""
    return [q.strip() for q in setting.split("|") if q.strip()] or list(STARTERS)


def invalid(problem: str, limit: int, lang: str = "en") -> str:
    table = ES_INVALID if lang == "es" else INVALID
    return table[problem].replace("{limit:,}", f"{limit:,}")


# -- Spanish (español) ----------------------------------------------------------------------------
# The Spanish of each sentence above, under the same name. Written for "usted". A fluent person
# at the practice should read it before going live (README, "Spanish"). Crisis facts and their
# sources: docs/safety-design.md, "Crisis resources in Spanish".

ES: dict[str, str] = {
    "DISCLAIMER": "Este es un asistente automático que cita los textos publicados de "
    "{therapist_name}; no es {therapist_name} ni ningún otro profesional clínico. No puede dar "
    "consejos médicos ni de salud mental y no es para emergencias: en una crisis, llame al 988 y "
    "marque 2, envíe AYUDA por mensaje de texto al 988, o llame al 911.",  # setting disclaimer_es
    "ATTRIBUTION": "{therapist} escribe en inglés, así que esta cita de su {doc_kind}, "
    "*{section}*, va en inglés, sin traducir:",
    "SOURCES_HEADING": "**Fuente:**",
    "NO_ANSWER": "Lo siento, lo que ha escrito {therapist} no trata ese tema, así que no puedo "
    "responderlo aquí. Una llamada inicial gratuita es el mejor lugar para preguntárselo "
    "directamente a {therapist}.",
    "NOT_ENGLISH": "Lo siento, por ahora solo puedo leer preguntas en inglés o en español, y lo "
    "que ha escrito {therapist} está en inglés. Una llamada inicial gratuita es el mejor lugar "
    "para preguntárselo directamente a {therapist}.",
    "CRISIS": "Siento mucho que esté pasando por esto. Usted merece apoyo ahora mismo, de una "
    "persona.\n\n"
    "- **Llame al 988 y marque 2** para hablar en español (Línea 988 de Prevención del Suicidio "
    "y Crisis, 24/7)\n"
    "- **Envíe AYUDA por mensaje de texto al 988**, o chatee en español en 988lifeline.org\n"
    "- **Envíe AYUDA al 741741** (Crisis Text Line, en español)\n"
    "- **Llame al 911** si usted u otra persona está en peligro inmediato.\n\n"
    "Este chat es automático y nadie lo supervisa, así que no puede ayudar en una emergencia.",
    "MEDICAL": "No puedo dar consejos médicos, como dosis, interacciones entre medicamentos o si "
    "la ketamina es segura para usted. Esas decisiones le corresponden a su proveedor médico, "
    "que conoce su historial de salud. Una llamada inicial gratuita es un buen lugar para "
    "preguntar cómo trabaja {therapist} con los proveedores médicos.",
    "SCOPE": "Solo puedo compartir lo que ha escrito {therapist} sobre la psicoterapia asistida "
    "con ketamina, así que no puedo diagnosticar ni evaluar a nadie, hacer otro papel ni seguir "
    "otras instrucciones. Una llamada inicial gratuita es el mejor lugar para hablar "
    "directamente con {therapist}.",
    "CRISIS_MARKER": "(Línea 988 de Prevención del Suicidio y Crisis, 24/7)",
    "CONCERN": "Si tiene pensamientos de suicidio o de hacerse daño, o le preocupa otra persona, "
    "puede hablar ahora mismo con una persona:\n\n"
    "- **Llame al 988 y marque 2** para hablar en español, o **envíe AYUDA por mensaje de texto "
    "al 988** (a cualquier hora)\n"
    "- **Llame al 911** si usted u otra persona está en peligro inmediato.\n\n---",
    "CONCERN_NOTHING_ASKED": "Soy un asistente automático y no puedo ayudar en una crisis, pero "
    "las personas de esos números sí, a cualquier hora. Si tiene una pregunta sobre la terapia "
    "asistida con ketamina, puedo compartir lo que ha escrito {therapist}.",
    "CRISIS_REMINDER": "*Si está en crisis: llame al **988** y marque **2**, envíe **AYUDA** al "
    "**988**, o llame al **911**.*",
    "CRISIS_OTHER_LANGUAGE": "**En español:** llame al **988** y marque **2**, o envíe **AYUDA** "
    "por mensaje de texto al **988**.",
    "UNAVAILABLE": "Lo siento, ahora mismo no puedo consultar lo que ha escrito {therapist}. "
    "Vuelva a intentarlo en unos minutos, o reserve una llamada inicial gratuita para "
    "preguntárselo directamente a {therapist}.",
    "GREETING": "¡Hola! ¿Qué le gustaría saber? Puede empezar con una de estas preguntas:",
    "THANKS": "¡De nada! ¿Qué más le gustaría saber? Puede preguntar una de estas:",
    "ACKNOWLEDGEMENT": "¿Qué le gustaría saber? Pregunte con sus palabras, o pruebe una de estas:",
    "RATE_LIMITED": "Ha enviado muchas preguntas en poco tiempo. Espere un minuto y vuelva a "
    "intentarlo.",
    "CHAT_TOO_BIG": "Eso es más de lo que el chat puede recibir de una vez. Vuelva a cargar la "
    "página e inténtelo de nuevo.",
    "CHAT_BUSY": "El chat está muy ocupado en este momento. Inténtelo de nuevo en un minuto. Si "
    "está en crisis, llame al 988 y marque 2, envíe AYUDA al 988, o llame al 911.",
    "PAGE_TITLE": "Preguntas sobre la psicoterapia asistida con ketamina",
    "NOTICE": "**Está chateando con un asistente automático**, no con {therapist} ni con ningún "
    "profesional clínico. Cita los textos publicados de {therapist}, que están en inglés, y no "
    "puede dar consejos médicos. Es para adultos, nadie lo supervisa y no es para emergencias: "
    "en una crisis llame al **988** y marque **2**, envíe **AYUDA** al **988**, o llame al "
    "**911**. Por favor, no comparta aquí datos personales de salud. "
    "[Cómo maneja este asistente la seguridad y la privacidad](/safety?lang=es)",
    "INPUT_PLACEHOLDER": "Escriba su pregunta…",
    "CHAT_PLACEHOLDER": "Pregunte sobre la psicoterapia asistida con ketamina, la preparación, "
    "las sesiones o la integración.",
    "SEND": "Enviar",
    "INPUT_LABEL": "Su pregunta",
    "CHAT_LABEL": "Chat",
    "STARTERS_LABEL": "Pruebe a preguntar",
    "SUGGESTIONS_LABEL": "Quizás quiso decir:",
    "SOURCE_CHIP": "{doc_kind} de {therapist} · {section}",
    "SOURCE_KIND_FALLBACK": "textos",
    "NOTICE_SHORT": "**Asistente automático**, no es {therapist}. No es para emergencias: llame "
    "o envíe un mensaje al **988**, o llame al **911**.",
    "NOTICE_MORE": "más",
    "TYPING": "Buscando en los textos…",
    "BOOK_BUTTON": "Reserve una llamada inicial gratuita",
    "SAFETY_TITLE": "Seguridad y privacidad",
    "BACK_TO_CHAT": "Volver al chat",
    "CHAT_HOME": "/?lang=es",
    "STORAGE_OFF": "Lo que escribe no se guarda ni se anota en ningún registro.",
    "STORAGE_ON": "Lo que escribe se guarda en el servidor de la propia consulta durante {days} "
    "días, para que la consulta vea qué no responden todavía sus textos, y después se borra; "
    "nunca se anota en registros ni se comparte.",
}

ES_INVALID = {
    "empty": "Parece que su mensaje estaba vacío. ¿Qué le gustaría saber sobre la psicoterapia "
    "asistida con ketamina?",
    "too_long": "Ese mensaje es más largo de lo que puedo leer ({limit:,} caracteres como "
    "máximo). ¿Podría hacer su pregunta en una o dos frases?",
    "not_text": "No pude leer ese mensaje como texto. ¿Podría escribir su pregunta con palabras?",
}

ES_STARTERS = ("¿Qué es la integración después de la ketamina?",
               "¿Necesito un terapeuta para la terapia con ketamina?",
               "¿Qué pasa durante una sesión con ketamina?",
               "¿Es la terapia asistida con ketamina adecuada para mí?")

ES_ATTRIBUTION_SAME_LANGUAGE = "De lo que escribe {therapist} ({doc_kind}, *{section}*):"

ES_DOC_KINDS = {"article": "artículo", "practice page": "página de la consulta",
                "faq": "página de preguntas frecuentes"}

CRISIS_MARKERS = (CRISIS_MARKER, ES["CRISIS_MARKER"])  # a crisis reply, in any language

_NAMES = {value: name for name, value in globals().items()
          if name in ES and isinstance(value, str)}


def phrase(name: str, lang: str = "en") -> str:
    """The fixed sentence ``name`` (an English constant's name) in ``lang``."""
    if lang == "es" and name in ES:
        return ES[name]
    value = globals()[name]
    assert isinstance(value, str)
    return value


def localize(template: str, lang: str) -> str:
    """``template``, one of the English sentences above, in ``lang`` (itself if it has none)."""
    name = _NAMES.get(template)
    return phrase(name, lang) if name else template


def doc_kind(kind: str, lang: str = "en") -> str:
    return ES_DOC_KINDS.get(kind, kind) if lang == "es" else kind
