"""The chat page: Gradio Blocks mounted at ``/`` of the FastAPI app (the only module that
imports Gradio). Every message goes to ``Bot.ask``, as everywhere else. In review mode
(``kapbot serve --review``, loopback only) each reply also shows why it was given, and the
therapist can attach a missed question to the section that answers it.
"""

import secrets
from typing import Any

import gradio as gr
from gradio.route_utils import FnIndexInferError

from kapbot import wording
from kapbot.bot import Bot
from kapbot.guard import Limiter, RateLimiter, visitor_key
from kapbot.storage.feedback import FeedbackStore
from kapbot.web import chatlook, chatview
from kapbot.workbench import review as review_text

# What Gradio raises for a function the chat does not have (`kapbot.web.asgi.ErrorShield`: 404).
UNKNOWN_FUNCTION: tuple[type[Exception], ...] = (FnIndexInferError,)
MAX_FILE_SIZE = 1024  # bytes; the chat has no file input

# The chat shows, and the handler reads, the last exchanges only: a long conversation stays well
# under the body cap (kapbot.web.webguard), and a history sent by a script is never kept whole.
KEEP_MESSAGES, KEEP_CHARS = 20, 32_000
CHAT_WORKERS = 4  # chat events handled at once (model calls are bounded by the cores anyway)


def _recent(history: object, replies: list[dict[str, Any]],
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The last exchanges of ``history`` (at most ``KEEP_MESSAGES`` messages and about
    ``KEEP_CHARS`` characters), and the thumbs' data of the same replies."""
    turns = [t for t in history if isinstance(t, dict)] if isinstance(history, list) else []
    kept = turns[-KEEP_MESSAGES:]
    while len(kept) > 2 and sum(len(str(t.get("content", ""))) for t in kept) > KEEP_CHARS:
        kept = kept[2:]
    return kept, replies[max(0, len(replies) - len(kept) // 2):]


def _to_front(blocks: Any, event_id: str) -> None:
    """Move a waiting chat event to the front of Gradio's queue (a crisis message)."""
    for waiting in blocks._queue.event_queue_per_concurrency_id.values():
        for i, event in enumerate(waiting.queue):
            if event._id == event_id:
                waiting.queue.insert(0, waiting.queue.pop(i))
                return


def _text(content: object) -> str:
    """A chat message's text (Gradio keeps it as a string or as a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _asked(history: list[dict[str, Any]]) -> list[str]:
    """The visitor's earlier messages, oldest first (what ``Bot.ask`` reads follow-ups with)."""
    return [_text(t.get("content")) for t in history if t.get("role") == "user"]


SUGGESTION_BUTTONS = 2


def _offers(answer: Any) -> list[Any]:
    """Updates for the "did you mean" label and buttons: one button per suggestion, which asks
    that section's question."""
    questions = [s.question for s in answer.suggestions][:SUGGESTION_BUTTONS]
    label = wording.phrase("STARTERS_LABEL" if answer.kind in ("greeting", "acknowledgement")
                           else "SUGGESTIONS_LABEL", answer.language or "en")  # starters after "hi"
    return [gr.update(visible=bool(questions)), gr.update(value=label)] + [
        gr.update(value=questions[i], visible=True) if i < len(questions)
        else gr.update(value="", visible=False) for i in range(SUGGESTION_BUTTONS)]


def _history_had_crisis(history: list[dict[str, Any]]) -> bool:
    return any(turn.get("role") == "assistant" and any(
        marker in str(turn.get("content", "")) for marker in wording.CRISIS_MARKERS)
        for turn in history)


def _opened(settings: Any, request: gr.Request) -> tuple[Any, ...]:
    """The chat's language at open, ``?lang=es`` (``kapbot/static/widget.js`` passes the host
    page's ``data-lang`` or ``<html lang>``): the notice, labels and starters in it."""
    lang = "es" if request and request.query_params.get("lang") == "es" else "en"
    if lang == "en":
        return (gr.skip(),) * (6 + len(wording.STARTERS)) + ("en",)
    notice = chatview.notice(settings.therapist_name,
                             f"{wording.ES['PAGE_TITLE']} · {settings.practice_name}", "es")
    return (notice,
            gr.Chatbot(placeholder=wording.ES["CHAT_PLACEHOLDER"]),
            gr.Textbox(placeholder=wording.ES["INPUT_PLACEHOLDER"],
                       label=wording.ES["INPUT_LABEL"]),
            gr.Button(wording.ES["SEND"]), gr.Button(wording.ES["BOOK_BUTTON"]), gr.skip(),
            *(gr.Button(q) for q in wording.ES_STARTERS), "es")


def build_chat(bot: Bot, limiter: Limiter, feedback: FeedbackStore,
               review: bool = False, ratings: Limiter | None = None) -> Any:
    settings = bot.settings
    notice = chatview.notice(settings.therapist_name,
                             f"{wording.PAGE_TITLE} · {settings.practice_name}")
    if ratings is None:
        ratings = RateLimiter(settings.ratings_per_minute)

    def doc_kinds() -> dict[tuple[str, str], str]:  # the corpus of now (a reload replaces it)
        corpus = bot.corpus
        return {(s.title, s.heading): s.doc_kind for s in (corpus.sections if corpus else ())}

    def respond(
        message: str, history: list[dict[str, Any]], replies: list[dict[str, Any]],
        notes: list[str], lang: str, request: gr.Request,
    ) -> tuple[Any, ...]:
        client = visitor_key(request.client.host if request and request.client else None)
        history, replies = _recent(history, replies)
        if review or limiter.allow(client):
            answer = bot.ask(message, after_crisis=_history_had_crisis(history),
                             history=_asked(history), language=lang or None)
        else:
            answer = bot.limited(message, client, lang or None)
        # what the thumbs on this reply will record (the question only with the storage opt-in)
        replies = [*replies, {"id": secrets.token_hex(8), "kind": answer.kind,
                              "sources": [f"{s.title} — {s.section}" for s in answer.sources],
                              "question": answer.question if settings.store_conversations
                              else None,
                              "topic": answer.topic, "topic_section": answer.topic_section,
                              "asked": answer.question if review else None}]
        notes = [review_text.explain(answer, settings), *notes] if review else notes
        panel = "\n\n---\n\n".join(notes)
        offers = _offers(answer)
        shown = chatview.reply(answer, settings.therapist_name, doc_kinds(),
                               settings.booking_label)
        if answer.kind == "invalid":
            # keep what the visitor typed so nothing is lost; show why it was not read
            return (message, [*history, {"role": "user", "content": answer.question or "…"},
                              {"role": "assistant", "content": shown}], replies, notes,
                    answer.language, *offers, panel)
        return ("", [*history, {"role": "user", "content": answer.question},
                     {"role": "assistant", "content": shown}], replies, notes, answer.language,
                *offers, panel)

    def visitor(
        message: str, history: list[dict[str, Any]], replies: list[dict[str, Any]],
        notes: list[str], lang: str, request: gr.Request,
    ) -> tuple[Any, ...]:
        return respond(message, history, replies, notes, lang, request)[:-1]

    def on_like(data: gr.LikeData, replies: list[dict[str, Any]], request: gr.Request) -> None:
        """One rating per reply: a later thumb on the same reply replaces the earlier one (and
        un-clicking withdraws it); ratings are rate-limited per visitor."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        reply = (index - 1) // 2  # history alternates visitor, assistant
        rating = {True: "up", False: "down", "": None}.get(data.liked, "?")  # "": un-clicked
        if rating == "?" or not 0 <= reply < len(replies) or "id" not in replies[reply]:
            return
        client = visitor_key(request.client.host if request and request.client else None)
        if not (review or ratings.allow(client)):
            return
        meta = replies[reply]
        before = feedback.rate(meta["id"], rating, meta["kind"], meta["sources"],
                               meta["question"])
        if bot.gaps is not None and not review and (before == "down") != (rating == "down"):
            change = bot.gaps.record if rating == "down" else bot.gaps.forget
            change("down", meta.get("topic", ""), meta.get("topic_section", ""))

    def teach_last(section_id: str, replies: list[dict[str, Any]]) -> str:
        asked = next((r["asked"] for r in reversed(replies) if r.get("asked")), None)
        if not asked:
            return "Ask a question first; then pick the section that answers it."
        if not section_id:
            return "Pick the section that answers the last question."
        from kapbot.corpus.teach import teach

        try:
            taught = teach(settings.corpus_dir, section_id, asked)
        except Exception as exc:  # shown to the therapist, locally
            return f"Could not add it: {exc}"
        if not taught.diff:
            return f"“{taught.question}” is already in that section's question bank."
        report = bot.prepare()  # rebuilds the index; the old one answers until it is done
        return (f"Added to {taught.path.name} (index rebuilt: {report.units} units). "
                "Ask again to see the effect, and run `kapbot eval` before going live.\n\n"
                f"```diff\n{taught.diff}```")

    title = f"{wording.PAGE_TITLE} · {settings.practice_name}" + (" · review" if review else "")
    with gr.Blocks(title=title, analytics_enabled=False) as blocks:
        shown = gr.Markdown(notice, elem_id="kapbot-notice")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    label=wording.CHAT_LABEL, show_label=False, height=460, elem_id="kapbot-chat",
                    sanitize_html=True, render_markdown=True, buttons=[], autoscroll=False,
                    feedback_options=("Like", "Dislike"), allow_tags=False, layout="bubble",
                    placeholder=wording.CHAT_PLACEHOLDER,
                )
                with gr.Row(elem_id="kapbot-starters"):
                    starters = [gr.Button(q, size="sm", elem_classes=chatlook.SUGGESTION_CLASS)
                                for q in wording.starters(settings.starter_questions)]
                    book = gr.Button(settings.booking_label, link=settings.booking_url,
                                     size="sm", variant="primary", elem_id="kapbot-book")
                with gr.Row(equal_height=True):
                    box = gr.Textbox(
                        show_label=False, placeholder=wording.INPUT_PLACEHOLDER, scale=5,
                        max_lines=4, max_length=settings.max_question_chars * 4,  # focus: chatlook
                        elem_id="kapbot-box", label=wording.INPUT_LABEL,
                    )
                    send = gr.Button(wording.SEND, variant="primary", scale=1, min_width=72,
                                     elem_id="kapbot-send")
                with gr.Row(visible=False, elem_id="kapbot-suggestions") as offered:
                    offer_label = gr.Markdown(wording.SUGGESTIONS_LABEL)
                    offer_buttons = [gr.Button("", visible=False, size="sm", variant="secondary",
                                               elem_classes=chatlook.SUGGESTION_CLASS)
                                     for _ in range(SUGGESTION_BUTTONS)]
            if review:
                with gr.Column(scale=2):
                    gr.Markdown("#### Why each reply (review mode: only you see this)")
                    panel = gr.Markdown(elem_id="kapbot-review")
                    corpus = bot.corpus
                    choices = [(f"{s.title} › {s.heading}", s.id)
                               for s in (corpus.sections if corpus else ())]
                    section = gr.Dropdown(choices=choices, label="The section that answers the "
                                          "last question", elem_id="kapbot-teach-section")
                    teach_button = gr.Button("Add the last question to its question bank",
                                             elem_id="kapbot-teach")
                    taught = gr.Markdown(elem_id="kapbot-taught")
        replies, notes, lang = gr.State([]), gr.State([]), gr.State("")  # lang: the chat's
        ins = [box, chat, replies, notes, lang]
        outs = [box, chat, replies, notes, lang, offered, offer_label, *offer_buttons]
        if review:
            outs = [*outs, panel]
            teach_button.click(teach_last, [section, replies], [taught])
        handler = respond if review else visitor
        box.submit(handler, ins, outs, concurrency_id="chat", api_name="respond")
        send.click(handler, ins, outs, concurrency_id="chat")
        for starter in starters:  # a chip sends its own text
            starter.click(handler, [starter, *ins[1:]], outs, concurrency_id="chat",
                          api_visibility="undocumented")
        for button in offer_buttons:  # asks the section's question, as if typed
            button.click(handler, [button, *ins[1:]], outs, concurrency_id="chat",
                         api_visibility="undocumented")
        chat.like(on_like, [replies], None)

        def opened(request: gr.Request) -> tuple[Any, ...]:  # ?lang=es: the chat in Spanish
            return _opened(settings, request)

        blocks.load(opened, None, [shown, chat, box, send, book, notes, *starters, lang])
    return blocks


def mount_chat(app: Any, bot: Bot, limiter: Limiter, feedback: FeedbackStore,
               review: bool = False, ratings: Limiter | None = None) -> Any:
    """Mount the chat at ``/`` of ``app`` (system fonts: nothing loads from a third party)."""
    theme = gr.themes.Soft(
        primary_hue="violet",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "Menlo", "monospace"],
    )
    blocks = build_chat(bot, limiter, feedback, review, ratings)
    # no max_size: kapbot.web.webguard bounds the queue per visitor, and lets a crisis message in
    blocks.queue(default_concurrency_limit=CHAT_WORKERS, max_size=None)
    app.state.chat_queue_length = lambda: len(blocks._queue)
    app.state.chat_first = lambda event_id: _to_front(blocks, event_id)
    return gr.mount_gradio_app(
        app, blocks, path="/", theme=theme,
        css=chatlook.CSS + (chatlook.REVIEW_CSS if review else ""), head=chatlook.head(),
        footer_links=[], ssr_mode=False, show_error=False,
        run_history=False, max_file_size=MAX_FILE_SIZE,
    )
