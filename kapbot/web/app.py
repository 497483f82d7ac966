"""The web front end: one FastAPI app with the Gradio chat mounted at ``/``.

Routes: ``/`` the chat (``kapbot.web.chat``), ``POST /api/ask`` (``{"question": ...}`` → the same
JSON object as ``kapbot ask --json``), ``GET /healthz``, ``GET /safety``, ``GET /widget.js`` (the
one-line embed), and ``POST /admin/reload`` (``kapbot reload``: needs the token ``serve`` writes
to the data folder).
Allowed origins (settings) get CORS grants and may frame the chat; each visitor is rate-limited,
except that a crisis message always gets its reply. Every route calls the same ``Bot``. FastAPI
is imported here only (Gradio in ``kapbot.web.chat``); the CLI imports this module only to serve.
"""

import hmac
import html
import json
import logging
import os
import secrets
import shutil
import signal
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from kapbot import wording
from kapbot.bot import Bot
from kapbot.errors import ConfigError, KapbotError, StoreUnavailable
from kapbot.guard import RateLimiter, visitor_key
from kapbot.settings import Settings
from kapbot.storage.feedback import FeedbackStore
from kapbot.storage.sqlitedb import PRIVATE_FILE, private_dir
from kapbot.web import asgi, colors
from kapbot.web.chatlook import theme_css
from kapbot.web.sharedlimit import make_limiter
from kapbot.web.webguard import ChatGuard, limit_malloc_arenas

log = logging.getLogger("kapbot.web")

MAX_BODY_BYTES = 256 * 1024  # a question is at most a few KB; this refuses abuse early
ADMIN_TOKEN_FILE = "admin-token"
GRADIO_CACHE = "gradio-cache"  # Gradio's temporary folder, emptied at each start
REQUEST_TIMEOUT = 10  # seconds a connection has to send a whole request (slow clients are cut)
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle keep-alive connection stays open
LIMIT_CONCURRENCY = 1000  # open connections and tasks; past it, uvicorn answers 503

WIDGET_JS = Path(__file__).resolve().parent.parent / "static" / "widget.js"
SAFETY_DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "safety.md"
SAFETY_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
SAFETY_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {practice}</title>
<style>body{{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;
margin:2rem auto;padding:0 1rem;color:#1f2330}}h1{{font-size:1.5rem}}h2{{font-size:1.15rem;
margin-top:1.6rem}}a{{color:#5b3fb0}}</style></head><body><main>{body}
<p><a href="{home}">{back}</a></p></main></body></html>"""


def _safety_html(bot: Bot, lang: str = "en") -> str:  # docs/safety.md (.es.md), names filled
    from markdown_it import MarkdownIt

    settings = bot.settings
    storage = wording.fill(wording.phrase("STORAGE_ON" if settings.store_conversations
                                          else "STORAGE_OFF", lang), days=settings.retention_days)
    doc = SAFETY_DOC.with_name("safety.es.md") if lang == "es" else SAFETY_DOC  # ?lang=es
    text = wording.fill(doc.read_text(encoding="utf-8"),
                        practice=html.escape(settings.practice_name),
                        therapist=html.escape(settings.therapist_name), storage=storage)
    body = MarkdownIt("commonmark", {"html": False}).render(text)
    return SAFETY_PAGE.format(practice=html.escape(settings.practice_name), body=body, lang=lang,
                              title=wording.phrase("SAFETY_TITLE", lang), home=wording.phrase(
                                  "CHAT_HOME", lang), back=wording.phrase("BACK_TO_CHAT", lang))


class PagePolicy:
    """Security headers: on every HTML page, who may frame the chat (``frame-ancestors``) and no
    referrer; on every answer, no MIME sniffing. Plain ASGI."""

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
                elif b"x-content-type-options" not in kinds:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


class Reloader:
    """Re-reads the corpus and rebuilds the index if it changed, while the current index keeps
    answering (``Bot.prepare`` swaps the new one in when it is complete). One at a time."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._busy = threading.Lock()

    def reload(self) -> dict[str, Any]:
        if not self._busy.acquire(blocking=False):
            return {"status": "busy", "detail": "a reload is already running"}
        try:
            report = self.bot.prepare()
        except KapbotError as exc:
            log.error("Reload failed, still answering from the previous index: %s", exc)
            return {"status": "error", "detail": str(exc)}
        finally:
            self._busy.release()
        log.info("Reloaded: %s", "rebuilt (" + report.reason + ")" if report.rebuilt
                 else "the index was current")
        return {"status": "ok", "rebuilt": report.rebuilt, "reason": report.reason,
                "units": report.units, "sections": report.sections,
                "documents": report.documents, "problems": list(report.problems)}


def admin_token(settings: Settings) -> str:
    """The secret ``kapbot reload`` sends, made at start-up in the data folder (owner only:
    the file is created with mode 600, never readable by others even for a moment, and
    renamed into place whole)."""
    path = private_dir(settings.data_dir) / ADMIN_TOKEN_FILE
    token = secrets.token_urlsafe(24)
    partial = path.with_name(f".{ADMIN_TOKEN_FILE}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(token)
    os.replace(partial, path)
    return token


def create_app(bot: Bot, review: bool = False, token: str = "",
               trusted_proxies: tuple[str, ...] = ()) -> Any:
    """The ASGI app. ``bot`` should be prepared (index checked) before serving. ``review``:
    the therapist's review mode (scores and reasons beside each reply; loopback only).
    ``token``: the secret that ``POST /admin/reload`` requires (no token: no reloads).
    ``trusted_proxies``: addresses whose ``X-Forwarded-Host`` is believed (default: none)."""
    app = FastAPI(title="kapbot", docs_url=None, redoc_url=None, openapi_url=None)
    settings = bot.settings
    limiter = make_limiter(settings.rate_limit_storage, settings.rate_limit_per_minute, "ask")
    ratings = make_limiter(settings.rate_limit_storage, settings.ratings_per_minute, "rate")
    origins = bot.settings.origins
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], allow_credentials=False, max_age=600)

    # the chat's routes: a body cap, and a per-visitor cap on queued events (never for a crisis);
    # added first, so it runs inside the page policy and the gate (which refuses uploads first)
    app.add_middleware(
        ChatGuard, joins=RateLimiter(bot.settings.joins_per_minute),
        is_crisis=lambda message, visitor: bot.limited_crisis(message, visitor) is not None,
        urgent=lambda message: bot.is_urgent(message, semantic=False),
        queue_length=lambda: app.state.chat_queue_length(),
        first=lambda event_id: app.state.chat_first(event_id),
    )
    app.add_middleware(asgi.PageHead, title=f"{wording.PAGE_TITLE} · {bot.settings.practice_name}",
                       site=bot.settings.practice_name,
                       style=lambda color: theme_css(*colors.theme(color)))
    app.add_middleware(asgi.Gate, expose_api_docs=bot.settings.expose_api_docs,
                       loopback_only=review, trusted_proxies=trusted_proxies)
    app.add_middleware(PagePolicy, frame_ancestors=" ".join(["'self'", *origins]))

    @app.api_route("/widget.js", methods=["GET", "HEAD"])
    def widget() -> FileResponse:
        return FileResponse(WIDGET_JS, media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=3600"})

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz() -> JSONResponse:  # 503 unless an index answers: monitors see an outage
        report = bot.report
        if report is None:  # a load balancer sends no visitors to retry for it: retry here
            bot.prepare_in_background()
        return JSONResponse({
            "status": bot.state,
            "chunks": report.units if report else 0,
            "sections": report.sections if report else 0,
            "index_hash": report.fingerprint if report else "",
        }, status_code=200 if report else 503)

    @app.api_route("/safety", methods=["GET", "HEAD"], response_class=HTMLResponse)
    def safety_page(lang: Literal["en", "es"] = "en") -> HTMLResponse:  # ?lang=es: Spanish
        return HTMLResponse(_safety_html(bot, lang), 200, {"Content-Security-Policy": SAFETY_CSP})

    @app.post("/api/ask")
    async def api_ask(request: Request) -> JSONResponse:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":  # no "simple request" from another site's page
            return JSONResponse({"detail": "send the question as JSON, with Content-Type: "
                                 "application/json"}, status_code=415)
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
            history = data.get("history", ()) if isinstance(data, dict) else ()
            language = data.get("language") if isinstance(data, dict) else None  # so far
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            question, after_crisis, history, language = b"\xff", False, (), None  # "not text"
        client = visitor_key(request.client.host if request.client else None)
        if not await run_in_threadpool(limiter.allow, client):
            answer = await run_in_threadpool(bot.limited, question, client, language)
            return JSONResponse(answer.to_dict(), status_code=200 if answer.kind == "crisis"
                                else 429)
        answer = await run_in_threadpool(bot.ask, question, None, after_crisis, history, language)
        return JSONResponse(answer.to_dict())

    reloader = app.state.reloader = Reloader(bot)

    @app.post("/admin/reload")
    async def admin_reload(request: Request) -> JSONResponse:
        given = request.headers.get("x-kapbot-token", "")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return JSONResponse({"status": "forbidden", "detail": "run `kapbot reload` on the "
                                 "server's machine"}, status_code=403)
        result = await run_in_threadpool(reloader.reload)
        return JSONResponse(result, status_code=200 if result["status"] == "ok" else 409)

    feedback = FeedbackStore(bot.settings.data_dir / "feedback.sqlite3")
    from kapbot.web.chat import UNKNOWN_FUNCTION, mount_chat  # Gradio: after ``serve`` loads models

    app = mount_chat(app, bot, limiter, feedback, review=review, ratings=ratings)
    asgi.compress_and_cache(app)
    app.add_middleware(asgi.ErrorShield, not_found=UNKNOWN_FUNCTION)  # outermost
    return app


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy options: ``X-Forwarded-For`` names the visitor only when it comes from a
    proxy listed in ``forwarded_allow_ips`` (uvicorn alone would trust 127.0.0.1, so a
    forged header from a local client would get a fresh rate-limit budget per forged address)."""
    trusted = settings.trusted_proxies
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
          review: bool = False) -> None:
    import uvicorn

    if review and host != "127.0.0.1":
        raise ConfigError(f"Review mode shows scores and lets you edit the corpus: it only "
                          f"listens on 127.0.0.1, not {host}")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    cache = settings.data_dir / GRADIO_CACHE  # nothing a previous run left is served again
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["GRADIO_TEMP_DIR"] = str(cache)
    limit_malloc_arenas()  # a flood's peak memory is given back, not kept per thread
    if review:
        settings = settings.replace(record_gaps=False)  # the therapist's tests are not visitors
    bot = Bot(settings)
    try:
        bot.prepare()
    except StoreUnavailable as exc:  # a Chroma server that is down: serve, and retry per question
        log.error("%s. Serving anyway: questions get the 'temporarily unavailable' reply (crisis "
                  "replies still work) until the index can be reached.", exc)
    app = create_app(bot, review=review, token=admin_token(settings),
                     trusted_proxies=tuple(settings.trusted_proxies))
    if hasattr(signal, "SIGHUP"):  # `kill -HUP <pid>` reloads, like `kapbot reload`
        signal.signal(signal.SIGHUP, lambda *_: threading.Thread(
            target=app.state.reloader.reload, daemon=True).start())
    log.info("Serving the chat%s at http://%s:%d", " in review mode" if review else "", host,
             port)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5,  # a restart never waits long on an open stream
                http=asgi.request_deadline_protocol(REQUEST_TIMEOUT),
                timeout_keep_alive=KEEP_ALIVE_TIMEOUT, limit_concurrency=LIMIT_CONCURRENCY,
                **proxy_options(settings))  # no proxy trusted unless forwarded_allow_ips says
