"""The web front end: one FastAPI app with the Gradio chat mounted at ``/``.

Routes: ``/`` the chat, ``POST /api/ask`` (``{"question": ...}`` → the same JSON object as
``kapbot ask --json``), ``GET /healthz``, ``GET /safety``, ``GET /widget.js`` (the one-line embed).
Allowed origins (settings) get CORS grants and may frame the chat; each visitor is rate-limited,
except that a crisis message always gets its reply. Every route calls the same ``Bot``. Gradio
and FastAPI are imported here only; the CLI imports this module only for ``kapbot serve``.
"""

import asyncio
import html
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from kapbot import wording
from kapbot.bot import Bot
from kapbot.errors import StoreUnavailable
from kapbot.feedback import FeedbackStore
from kapbot.guard import RateLimiter
from kapbot.settings import Settings

log = logging.getLogger("kapbot.web")

MAX_BODY_BYTES = 256 * 1024  # a question is at most a few KB; this refuses abuse early
ANSWER_THREADS = max(2, os.cpu_count() or 2)

# In the chat page: Escape asks the embedding widget (if any) to close its panel.
HEAD = """<script>
document.addEventListener("keydown", function (e) {
  if (e.key === "Escape" && window.parent !== window) {
    window.parent.postMessage({kapbot: "close"}, "*");
  }
}, true);
</script>"""

CSS = """
.gradio-container { max-width: 760px !important; margin: auto; }
#kapbot-notice { font-size: 0.85rem; line-height: 1.45; border-left: 4px solid #6b5b95;
  padding-left: 0.75rem; }
#kapbot-notice h3 { font-size: 1rem; margin: 0 0 0.25rem; }
#kapbot-chat .chatbot.prose { font-size: 15px; line-height: 1.5; }
#kapbot-chat .chatbot.prose blockquote { margin: 0.4em 0; }
#kapbot-chat .chatbot.prose hr { margin: 0.7em 0 0.4em; }
#kapbot-chat .chatbot.prose hr ~ p { font-size: 12.5px; line-height: 1.4; color: #5b6070;
  margin: 0.25em 0; }
#kapbot-chat .chatbot.prose hr ~ p:last-child { font-size: 14px; font-weight: 600; }
#kapbot-book a, #kapbot-book { font-weight: 600; }
footer { display: none !important; }
"""


WIDGET_JS = Path(__file__).resolve().parent / "static" / "widget.js"
SAFETY_DOC = Path(__file__).resolve().parent.parent / "docs" / "safety.md"
SAFETY_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
SAFETY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safety and privacy · {practice}</title>
<style>body{{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;
margin:2rem auto;padding:0 1rem;color:#1f2330}}h1{{font-size:1.5rem}}h2{{font-size:1.15rem;
margin-top:1.6rem}}a{{color:#5b3fb0}}</style></head><body>{body}
<p><a href="/">Back to the chat</a></p></body></html>"""


def _safety_html(bot: Bot) -> str:
    """docs/safety.md, with the practice's names, as a self-contained page."""
    from markdown_it import MarkdownIt

    settings = bot.settings
    storage = (wording.fill(wording.STORAGE_ON, days=settings.retention_days)
               if settings.store_conversations else wording.STORAGE_OFF)
    text = wording.fill(SAFETY_DOC.read_text(encoding="utf-8"),
                        practice=html.escape(settings.practice_name),
                        therapist=html.escape(settings.therapist_name), storage=storage)
    body = MarkdownIt("commonmark", {"html": False}).render(text)
    return SAFETY_PAGE.format(practice=html.escape(settings.practice_name), body=body)


def _blocks(bot: Bot, limiter: RateLimiter, feedback: FeedbackStore) -> Any:
    import gradio as gr

    settings = bot.settings
    notice = wording.fill(wording.NOTICE, therapist=settings.therapist_name)

    def respond(
        message: str, history: list[dict[str, str]], replies: list[dict[str, Any]],
        request: gr.Request,
    ) -> tuple[str, list[dict[str, str]], list[dict[str, Any]]]:
        had_crisis = any(
            turn.get("role") == "assistant"
            and wording.CRISIS_MARKER in str(turn.get("content", ""))
            for turn in history
        )
        client = request.client.host if request and request.client else "unknown"
        if limiter.allow(client):
            answer = bot.ask(message, after_crisis=had_crisis)
        else:
            answer = bot.limited(message)
        # what the thumbs on this reply will record (the question only with the storage opt-in)
        replies = [*replies, {"kind": answer.kind,
                              "sources": [f"{s.title} — {s.section}" for s in answer.sources],
                              "question": answer.question if settings.store_conversations
                              else None}]
        if answer.kind == "invalid":
            # keep what the visitor typed so nothing is lost; show why it was not read
            shown = answer.question or "…"
            return message, [*history, {"role": "user", "content": shown},
                             {"role": "assistant", "content": answer.text}], replies
        return "", [*history, {"role": "user", "content": answer.question},
                    {"role": "assistant", "content": answer.text}], replies

    def on_like(data: gr.LikeData, replies: list[dict[str, Any]]) -> None:
        index = data.index if isinstance(data.index, int) else data.index[0]
        reply = (index - 1) // 2  # history alternates visitor, assistant
        if data.liked in (True, False) and 0 <= reply < len(replies):
            meta = replies[reply]
            feedback.record("up" if data.liked else "down", meta["kind"], meta["sources"],
                            meta["question"])

    with gr.Blocks(title=f"{wording.PAGE_TITLE} · {settings.practice_name}",
                   analytics_enabled=False) as blocks:
        gr.Markdown(f"### {wording.PAGE_TITLE}\n{notice}", elem_id="kapbot-notice")
        chat = gr.Chatbot(
            label=wording.CHAT_LABEL, show_label=False, height=460, elem_id="kapbot-chat",
            sanitize_html=True,
            render_markdown=True,
            feedback_options=("Like", "Dislike"), allow_tags=False, layout="bubble",
            placeholder=wording.CHAT_PLACEHOLDER,
        )
        with gr.Row():
            box = gr.Textbox(
                show_label=False, placeholder=wording.INPUT_PLACEHOLDER, scale=5, max_lines=4,
                max_length=settings.max_question_chars * 4, autofocus=True,
            )
            send = gr.Button(wording.SEND, variant="primary", scale=1, min_width=80)
        gr.Examples(list(wording.STARTERS), inputs=box, label=wording.STARTERS_LABEL)
        gr.Button(wording.BOOK_BUTTON, link=settings.booking_url, variant="secondary",
                  elem_id="kapbot-book")
        replies = gr.State([])
        box.submit(respond, [box, chat, replies], [box, chat, replies], concurrency_limit=None)
        send.click(respond, [box, chat, replies], [box, chat, replies], concurrency_limit=None)
        chat.like(on_like, [replies], None)
    return blocks


class PagePolicy:
    """Security headers on every HTML page: who may frame the chat (``frame-ancestors``), no
    MIME sniffing, no referrer. Plain ASGI, so JSON answers pay nothing for it."""

    def __init__(self, app: Any, frame_ancestors: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", f"frame-ancestors {frame_ancestors}".encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kinds = {k.lower(): v for k, v in headers}
                if kinds.get(b"content-type", b"").startswith(b"text/html"):
                    headers += [(k, v) for k, v in self.headers if k not in kinds]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


def create_app(bot: Bot) -> Any:
    """The ASGI app. ``bot`` should be prepared (index checked) before serving."""
    import gradio as gr

    app = FastAPI(title="kapbot", docs_url=None, redoc_url=None, openapi_url=None)
    limiter = RateLimiter(bot.settings.rate_limit_per_minute)
    # answering is CPU work: a few threads, one per core, beat one per request (less contention,
    # first come first served, so the slowest replies under load come sooner)
    answering = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="kapbot-answer")
    origins = bot.settings.origins
    app.add_middleware(
        CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"], allow_credentials=False, max_age=600,
    )

    app.add_middleware(PagePolicy, frame_ancestors=" ".join(["'self'", *origins]))

    @app.get("/widget.js")
    def widget() -> FileResponse:
        return FileResponse(WIDGET_JS, media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        report = bot.report
        return {
            "status": "ok" if report else "starting",
            "chunks": report.units if report else 0,
            "sections": report.sections if report else 0,
            "index_hash": report.fingerprint if report else "",
        }

    @app.get("/safety", response_class=HTMLResponse)
    def safety_page() -> HTMLResponse:
        return HTMLResponse(_safety_html(bot), headers={"Content-Security-Policy": SAFETY_CSP})

    @app.post("/api/ask")
    async def api_ask(request: Request) -> JSONResponse:
        def too_big() -> JSONResponse:
            answer = bot.ask("x" * (MAX_BODY_BYTES + 1))  # the kind "too long" reply
            return JSONResponse(answer.to_dict(), status_code=413)

        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            drained = 0  # read (and drop) what was sent, so the client gets the reply cleanly
            async for part in request.stream():
                drained += len(part)
                if drained > 16 * MAX_BODY_BYTES:
                    break
            return too_big()
        body = b""
        async for part in request.stream():
            body += part
            if len(body) > MAX_BODY_BYTES:
                return too_big()
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
            question = data.get("question", "") if isinstance(data, dict) else ""
            after_crisis = isinstance(data, dict) and data.get("after_crisis") is True
        except (UnicodeDecodeError, json.JSONDecodeError):
            question, after_crisis = b"\xff", False  # unreadable → the kind "not text" reply
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            answer = await asyncio.get_running_loop().run_in_executor(
                answering, bot.limited, question)
            return JSONResponse(answer.to_dict(), status_code=200 if answer.kind == "crisis"
                                else 429)
        answer = await asyncio.get_running_loop().run_in_executor(
            answering, bot.ask, question, None, after_crisis)
        return JSONResponse(answer.to_dict())

    theme = gr.themes.Soft(
        primary_hue="violet",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "Menlo", "monospace"],
    )
    blocks = _blocks(bot, limiter, FeedbackStore(bot.settings.data_dir / "feedback.sqlite3"))
    blocks.queue(default_concurrency_limit=None, max_size=200)
    return gr.mount_gradio_app(
        app, blocks, path="/", theme=theme, css=CSS, head=HEAD, footer_links=[], ssr_mode=False,
        show_error=False,
    )


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    bot = Bot(settings)
    try:
        bot.prepare()
    except StoreUnavailable as exc:  # a Chroma server that is down: serve, and retry per question
        log.error("%s. Serving anyway: questions get the 'temporarily unavailable' reply (crisis "
                  "replies still work) until the index can be reached.", exc)
    app = create_app(bot)
    log.info("Serving the chat at http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
