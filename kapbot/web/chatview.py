"""How the chat page shows a reply. Pure: an ``Answer`` in, the chat bubble's Markdown (with a
little HTML) out. The reply's text (``kapbot.compose``, also what ``/api/ask`` returns) ends with
a source line, the disclaimer and the booking link; the chat shows the same parts as a compact
source chip that links to the section, the disclaimer in small print, and the booking link as a
button. A text that does not end as composed is shown unchanged."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from kapbot import wording
from kapbot.models import Answer, Source

SOURCE_CLASS = "kap-source"
BOOK_CLASS = "kap-book"


def first_name(therapist: str) -> str:
    """The first name of a therapist's full name ("Pat" from "Pat Gardener, LCSW")."""
    return therapist.replace(",", " ").split()[0] if therapist.strip() else therapist


def _cite(source: Source, lang: str = "en") -> str:
    """The source line exactly as ``kapbot.compose.answer`` writes it, in the reply's language
    ("**Fuente:**" in Spanish)."""
    cite = source.title if source.section == source.title else f"{source.title} — {source.section}"
    cite = cite.replace("<", "&lt;").replace(">", "&gt;")
    link = f"[{cite}]({source.url})" if source.url else cite
    return f"{wording.localize(wording.SOURCES_HEADING, lang)} {link}"


def _safe_url(url: str) -> str | None:
    return url if url.startswith(("https://", "http://", "/")) else None


def source_chip(source: Source, doc_kind: str, therapist: str, lang: str = "en") -> str:
    """The compact chip that links to ``source``: "Pat's article · Preparation", or in Spanish
    "Artículo de Pat · Preparation"."""
    label = wording.fill(wording.phrase("SOURCE_CHIP", lang), therapist=first_name(therapist),
                         doc_kind=wording.doc_kind(doc_kind, lang), section=source.section)
    label = html.escape(label[:1].upper() + label[1:], quote=False)
    title = html.escape(f"{source.title} — {source.section}", quote=True)
    url = _safe_url(source.url)
    if url is None:
        return f'<span class="{SOURCE_CLASS}" title="{title}">{label}</span>'
    return (f'<a class="{SOURCE_CLASS}" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener" title="{title}">{label}</a>')


def book_button(booking_url: str, label: str = wording.BOOK_BUTTON) -> str:
    url = _safe_url(booking_url)
    if url is None:
        return ""
    return (f'<a class="{BOOK_CLASS}" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener">{html.escape(label)}</a>')


def reply(answer: Answer, therapist: str, doc_kinds: Mapping[tuple[str, str], str],
          booking_label: str = wording.BOOK_BUTTON) -> str:
    """The bubble for ``answer``; ``doc_kinds`` maps (title, section heading) to the document's
    kind ("article", "FAQ"), for the chip's label; ``booking_label``: the setting."""
    text = answer.text
    lang = answer.language or "en"
    if booking_label == wording.BOOK_BUTTON:  # the default label is said in the reply's language
        booking_label = wording.phrase("BOOK_BUTTON", lang)
    ending = wording.footer(answer.disclaimer, answer.booking_url, booking_label, lang)
    if not text.endswith(ending):
        return text
    body = text[: -len(ending)].rstrip()
    chips = []
    for source in answer.sources:
        line = _cite(source, lang)
        if body.endswith(line):
            body = body[: -len(line)].rstrip()
        kind = doc_kinds.get((source.title, source.section),
                             wording.phrase("SOURCE_KIND_FALLBACK", lang))
        chips.append(source_chip(source, kind, therapist, lang))
    parts = [body]
    if chips:
        parts.append(" ".join(chips))
    parts.append(f'<small class="kap-disclaimer">{html.escape(answer.disclaimer)}</small>')
    button = book_button(answer.booking_url, booking_label)
    if button:
        parts.append(button)
    return "\n\n".join(parts)


def notice(therapist: str, title: str = "", lang: str = "en") -> str:
    """The disclosure as Markdown: one line (with 988) that opens to the whole notice; the
    page's title, for screen readers only, above it."""
    line = html.escape(wording.fill(wording.phrase("NOTICE_SHORT", lang), therapist=therapist),
                       quote=False)
    line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line)
    full = wording.fill(wording.phrase("NOTICE", lang), therapist=therapist)
    heading = f'<h1 class="kap-sr">{html.escape(title)}</h1>\n\n' if title else ""
    more = html.escape(wording.phrase("NOTICE_MORE", lang))
    return (f'{heading}<details><summary>{line} <span class="kap-more">'
            f"{more}</span></summary>\n\n{full}\n\n</details>")
