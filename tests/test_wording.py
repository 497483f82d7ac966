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


# -- Spanish ---------------------------------------------------------------------------------------

def test_spanish_crisis_wording() -> None:
    # facts and their sources: docs/safety-design.md, "Crisis resources in Spanish"
    assert wording.ES["CRISIS"] == (
        "Siento mucho que esté pasando por esto. Usted merece apoyo ahora mismo, de una "
        "persona.\n\n"
        "- **Llame al 988 y marque 2** para hablar en español (Línea 988 de Prevención del "
        "Suicidio y Crisis, 24/7)\n"
        "- **Envíe AYUDA por mensaje de texto al 988**, o chatee en español en 988lifeline.org\n"
        "- **Envíe AYUDA al 741741** (Crisis Text Line, en español)\n"
        "- **Llame al 911** si usted u otra persona está en peligro inmediato.\n\n"
        "Este chat es automático y nadie lo supervisa, así que no puede ayudar en una emergencia."
    )
    assert wording.ES["CRISIS_MARKER"] in wording.ES["CRISIS"]
    assert (wording.CRISIS_MARKER, wording.ES["CRISIS_MARKER"]) == wording.CRISIS_MARKERS
    assert wording.ES["CONCERN"] == (
        "Si tiene pensamientos de suicidio o de hacerse daño, o le preocupa otra persona, puede "
        "hablar ahora mismo con una persona:\n\n"
        "- **Llame al 988 y marque 2** para hablar en español, o **envíe AYUDA por mensaje de "
        "texto al 988** (a cualquier hora)\n"
        "- **Llame al 911** si usted u otra persona está en peligro inmediato.\n\n---"
    )
    assert wording.ES["CRISIS_REMINDER"] == (
        "*Si está en crisis: llame al **988** y marque **2**, envíe **AYUDA** al **988**, o "
        "llame al **911**.*"
    )
    # under a crisis reply to a message that mixes the languages: the other language's line
    assert wording.CRISIS_OTHER_LANGUAGE == "**In English:** call or text **988**, or call **911**."
    assert wording.ES["CRISIS_OTHER_LANGUAGE"] == (
        "**En español:** llame al **988** y marque **2**, o envíe **AYUDA** por mensaje de texto "
        "al **988**."
    )


def test_spanish_replies_wording() -> None:
    assert wording.ES["MEDICAL"] == (
        "No puedo dar consejos médicos, como dosis, interacciones entre medicamentos o si la "
        "ketamina es segura para usted. Esas decisiones le corresponden a su proveedor médico, "
        "que conoce su historial de salud. Una llamada inicial gratuita es un buen lugar para "
        "preguntar cómo trabaja {therapist} con los proveedores médicos."
    )
    assert wording.ES["NO_ANSWER"] == (
        "Lo siento, lo que ha escrito {therapist} no trata ese tema, así que no puedo responderlo "
        "aquí. Una llamada inicial gratuita es el mejor lugar para preguntárselo directamente a "
        "{therapist}."
    )
    assert wording.ES["SCOPE"] == (
        "Solo puedo compartir lo que ha escrito {therapist} sobre la psicoterapia asistida con "
        "ketamina, así que no puedo diagnosticar ni evaluar a nadie, hacer otro papel ni seguir "
        "otras instrucciones. Una llamada inicial gratuita es el mejor lugar para hablar "
        "directamente con {therapist}."
    )
    assert wording.ES["ATTRIBUTION"] == (
        "{therapist} escribe en inglés, así que esta cita de su {doc_kind}, *{section}*, va en "
        "inglés, sin traducir:"
    )
    assert wording.ES_ATTRIBUTION_SAME_LANGUAGE == (
        "De lo que escribe {therapist} ({doc_kind}, *{section}*):")
    assert wording.ES["SOURCES_HEADING"] == "**Fuente:**"
    assert wording.footer("D.", "https://b.example.org", lang="es") == (
        "---\n*D.*\n\n[Reserve una llamada inicial gratuita](https://b.example.org)")
    assert wording.footer("D.", "https://b.example.org", "Llámenos", "es").endswith(
        "[Llámenos](https://b.example.org)")  # the practice's own booking_label, unchanged
    assert wording.ES["UNAVAILABLE"] == (
        "Lo siento, ahora mismo no puedo consultar lo que ha escrito {therapist}. Vuelva a "
        "intentarlo en unos minutos, o reserve una llamada inicial gratuita para preguntárselo "
        "directamente a {therapist}."
    )
    assert wording.ES["RATE_LIMITED"] == (
        "Ha enviado muchas preguntas en poco tiempo. Espere un minuto y vuelva a intentarlo.")
    assert wording.invalid("too_long", 2000, "es") == (
        "Ese mensaje es más largo de lo que puedo leer (2,000 caracteres como máximo). ¿Podría "
        "hacer su pregunta en una o dos frases?"
    )
    assert wording.invalid("empty", 1, "es") == (
        "Parece que su mensaje estaba vacío. ¿Qué le gustaría saber sobre la psicoterapia "
        "asistida con ketamina?")


def test_spanish_chat_page_wording() -> None:
    assert wording.ES["NOTICE"] == (
        "**Está chateando con un asistente automático**, no con {therapist} ni con ningún "
        "profesional clínico. Cita los textos publicados de {therapist}, que están en inglés, y no "
        "puede dar consejos médicos. Es para adultos, nadie lo supervisa y no es para emergencias: "
        "en una crisis llame al **988** y marque **2**, envíe **AYUDA** al **988**, o llame al "
        "**911**. Por favor, no comparta aquí datos personales de salud. "
        "[Cómo maneja este asistente la seguridad y la privacidad](/safety?lang=es)"
    )
    assert wording.ES_STARTERS == (
        "¿Qué es la integración después de la ketamina?",
        "¿Necesito un terapeuta para la terapia con ketamina?",
        "¿Qué pasa durante una sesión con ketamina?",
        "¿Es la terapia asistida con ketamina adecuada para mí?",
    )
    assert [wording.phrase(name, "es") for name in (
        "PAGE_TITLE", "INPUT_PLACEHOLDER", "SEND", "STARTERS_LABEL", "BOOK_BUTTON")] == [
        "Preguntas sobre la psicoterapia asistida con ketamina", "Escriba su pregunta…",
        "Enviar", "Pruebe a preguntar", "Reserve una llamada inicial gratuita"]
    assert wording.ES["CHAT_PLACEHOLDER"] == (
        "Pregunte sobre la psicoterapia asistida con ketamina, la preparación, las sesiones o la "
        "integración.")


def test_every_spanish_sentence_has_its_english_one() -> None:
    for name in wording.ES:
        if name != "DISCLAIMER":  # the English one is a setting (Settings.disclaimer)
            assert isinstance(getattr(wording, name), str), name
            assert wording.localize(getattr(wording, name), "es") == wording.ES[name]
            assert wording.localize(getattr(wording, name), "en") == getattr(wording, name)
    assert set(wording.ES_INVALID) == set(wording.INVALID)
    assert len(wording.ES_STARTERS) == len(wording.STARTERS)
    assert wording.localize("not one of the sentences", "es") == "not one of the sentences"


def test_spanish_names_and_disclaimer_filled() -> None:
    from kapbot.compose import Voice, fixed, voice_for

    settings = Settings(therapist_name="Dana Nassau", booking_url="https://b.example.org")
    voice = voice_for(settings, "es")
    assert voice.disclaimer == (
        "Este es un asistente automático que cita los textos publicados de Dana Nassau; no es "
        "Dana Nassau ni ningún otro profesional clínico. No puede dar consejos médicos ni de salud "
        "mental y no es para emergencias: en una crisis, llame al 988 y marque 2, envíe AYUDA por "
        "mensaje de texto al 988, o llame al 911.")
    reply = fixed("q", "no_answer", wording.NO_ANSWER, voice)
    assert reply.text.startswith("Lo siento, lo que ha escrito Dana Nassau no trata ese tema")
    assert reply.text.endswith(
        "---\n*" + voice.disclaimer + "*\n\n"
        "[Reserve una llamada inicial gratuita](https://b.example.org)")
    assert reply.language == "es" and reply.to_dict()["language"] == "es"
    own = voice_for(settings.replace(disclaimer_es="Solo cita a {therapist_name}."), "es")
    assert own == Voice(settings.practice_name, "Dana Nassau", "Solo cita a Dana Nassau.",
                        "https://b.example.org", lang="es")


def test_concern_nothing_asked_wording() -> None:
    assert wording.CONCERN_NOTHING_ASKED == (
        "I'm an automated assistant, so I can't help in a crisis, but the people at those numbers "
        "can, any time. If you have a question about ketamine-assisted therapy, I can share what "
        "{therapist} has written.")
    assert wording.ES["CONCERN_NOTHING_ASKED"] == (
        "Soy un asistente automático y no puedo ayudar en una crisis, pero las personas de esos "
        "números sí, a cualquier hora. Si tiene una pregunta sobre la terapia asistida con "
        "ketamina, puedo compartir lo que ha escrito {therapist}.")


def test_suggestions_label() -> None:
    assert wording.SUGGESTIONS_LABEL == "Did you mean:"
    assert wording.ES["SUGGESTIONS_LABEL"] == "Quizás quiso decir:"


def test_spanish_chat_look_wording() -> None:
    assert wording.ES["NOTICE_SHORT"] == (
        "**Asistente automático**, no es {therapist}. No es para emergencias: llame o envíe un "
        "mensaje al **988**, o llame al **911**.")
    assert wording.ES["NOTICE_MORE"] == "más"
    assert wording.ES["SOURCE_CHIP"] == "{doc_kind} de {therapist} · {section}"
    assert wording.ES["SOURCE_KIND_FALLBACK"] == "textos"
    assert wording.ES["TYPING"] == "Buscando en los textos…"


def test_content_free_wording() -> None:
    assert wording.GREETING == (
        "Hello! What would you like to know? You could start with one of these questions:")
    assert wording.THANKS == (
        "You're welcome! What else would you like to know? You could ask one of these:")
    assert wording.ACKNOWLEDGEMENT == (
        "What would you like to know? Ask in your own words, or try one of these:")
    assert wording.ES["GREETING"] == (
        "¡Hola! ¿Qué le gustaría saber? Puede empezar con una de estas preguntas:")
    assert wording.ES["THANKS"] == (
        "¡De nada! ¿Qué más le gustaría saber? Puede preguntar una de estas:")
    assert wording.ES["ACKNOWLEDGEMENT"] == (
        "¿Qué le gustaría saber? Pregunte con sus palabras, o pruebe una de estas:")
    assert wording.localize(wording.THANKS, "es") == wording.ES["THANKS"]
