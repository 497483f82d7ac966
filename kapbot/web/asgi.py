"""Plain ASGI pieces around the web app, for what must hold on every route, Gradio's included:

* ``ErrorShield``: an unhandled error becomes a clean JSON answer (404 for an unknown Gradio
  function, 400 for input nested too deep, else 500) and one short log line, never a traceback.
* ``Gate``: refuses what the chat never offers (uploads, run history) and hides the API
  description and Gradio's monitoring (404); in review mode, only a loopback ``Host`` (a
  DNS-rebinding page cannot reach "teach"); drops ``X-Forwarded-Host`` and its kin unless they
  come from a trusted proxy, so no one can make the page point elsewhere.
* ``PageHead``: the chat page's link-preview tags name the practice, not Gradio, and point
  nowhere else.
* ``request_deadline_protocol``: uvicorn's HTTP protocol, closing a connection whose request
  is not complete within a deadline (uvicorn only times out idle keep-alive connections).
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect

log = logging.getLogger("kapbot.web")

LOG_DETAIL = 160  # characters of an error's message in its one log line

REFUSED = ("/gradio_api/upload", "/gradio_api/upload_progress", "/gradio_api/process_recording",
           "/gradio_api/runs", "/gradio_api/run-history")
HIDDEN = ("/openapi.json", "/gradio_api/openapi.json", "/docs", "/redoc", "/monitoring")
FORWARDED = (b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port",
             b"x-forwarded-prefix", b"x-forwarded-server", b"x-gradio-server", b"forwarded")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})


async def send_json(send: Any, status: int, data: dict[str, Any]) -> None:
    body = json.dumps(data).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LOG_DETAIL else text[:LOG_DETAIL] + "…"


def _matches(path: str, prefixes: Sequence[str]) -> bool:
    path = "/" + path.strip("/")
    return any(path == p or path.startswith(p + "/") for p in prefixes)


class ErrorShield:
    """Outermost: whatever a route raises ends as a short JSON answer and one log line.
    Starlette sends its plain 500 before re-raising; that answer is held back and replaced."""

    def __init__(self, app: Any, not_found: tuple[type[BaseException], ...] = ()) -> None:
        self.app = app
        self.not_found = not_found

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Any] = []
        started = ended = False

        async def guarded_send(message: Any) -> None:
            nonlocal started, ended
            if held or (message["type"] == "http.response.start"
                         and message.get("status") == 500):
                held.append(message)
            else:
                started = started or message["type"] == "http.response.start"
                ended = message["type"] == "http.response.body" and not message.get("more_body")
                await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except ClientDisconnect:  # the client left, or was cut off for sending too slowly
            log.debug("%s %s: the client disconnected", scope.get("method", ""),
                      _short(scope.get("path", ""))[:80])
            return
        except Exception as exc:  # the one place every unhandled error ends
            status = (404 if isinstance(exc, self.not_found)
                      else 400 if isinstance(exc, RecursionError) else 500)
            log.warning("%s %s failed (%d): %s: %s", scope.get("method", ""),
                        _short(scope.get("path", ""))[:80], status, type(exc).__name__,
                        _short(str(exc)))
            if not started:
                detail = {404: "not found", 400: "the request could not be read"}
                await send_json(send, status, {"detail": detail.get(status, "internal error")})
            elif not ended:  # a stream that broke: end it cleanly
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        for message in held:
            await send(message)


class Gate:
    """Refused and hidden paths, the review-mode Host allowlist, untrusted forwarded headers."""

    def __init__(self, app: Any, expose_api_docs: bool = False, loopback_only: bool = False,
                 trusted_proxies: Sequence[str] = ()) -> None:
        self.app = app
        self.refused = REFUSED + (() if expose_api_docs else HIDDEN)
        self.loopback_only = loopback_only
        self.trusted = [ipaddress.ip_network(p.strip(), strict=False)
                        for p in trusted_proxies if p.strip() and p.strip() != "*"]
        self.trust_all = any(p.strip() == "*" for p in trusted_proxies)

    def _trusted(self, client: Any) -> bool:
        if self.trust_all:
            return True
        try:
            peer = ipaddress.ip_address(client[0]) if client else None
        except ValueError:
            return False
        return peer is not None and any(peer in net for net in self.trusted)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if self.loopback_only:
            host = next((v for k, v in headers if k == b"host"), b"").decode("latin-1")
            name = re.sub(r":\d*$", "", host.strip()).lower()
            if name not in LOOPBACK_NAMES:
                if scope["type"] == "http":
                    await send_json(send, 400, {"detail": "review mode answers only at "
                                                "http://127.0.0.1 or http://localhost"})
                return
        if scope["type"] == "http" and _matches(scope.get("path", ""), self.refused):
            await send_json(send, 404, {"detail": "Not Found"})
            return
        if not self._trusted(scope.get("client")):
            kept = [(k, v) for k, v in headers if k not in FORWARDED]
            if len(kept) != len(headers):
                scope = {**scope, "headers": kept}
        await self.app(scope, receive, send)


META = re.compile(rb'<meta\s+(?:property|name)="(?:og|twitter):[^"]*"\s+content="[^"]*"\s*/?>\s*')


class PageHead:
    """Rewrites the link-preview tags of the chat page (``/``): Gradio's template names Gradio
    and points at raw.githubusercontent.com and gradio.app; these name the practice only.
    The page is asked for uncompressed so it can be rewritten."""

    def __init__(self, app: Any, title: str, site: str,
                 style: Callable[[str | None], str] | None = None) -> None:
        self.app = app
        self.style = style  # the page's own CSS for its ``?color=`` (the widget's data-color)
        self.tags = (f'<title>{html.escape(title)}</title>\n'
                     f'<meta property="og:type" content="website" />\n'
                     f'<meta property="og:title" content="{html.escape(title)}" />\n'
                     f'<meta property="og:site_name" content="{html.escape(site)}" />\n').encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != "/" \
                or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"  # rendered as for GET, so the length is the same
        tags = self.tags
        if self.style is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            css = self.style(query.get("color", [None])[0])
            tags += f"<style>{html.escape(css, quote=False)}</style>\n".encode()
        scope = {**scope, "method": "GET", "headers": [
            (k, v) for k, v in scope.get("headers", []) if k != b"accept-encoding"]}
        start: dict[str, Any] = {}
        body = b""

        async def rewrite(message: Any) -> None:
            nonlocal body
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body" or not start:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            kinds = dict(start.get("headers", []))
            if kinds.get(b"content-type", b"").startswith(b"text/html") \
                    and b"content-encoding" not in kinds:
                body = META.sub(b"", body)
                body = body.replace(b"<head>", b"<head>\n" + tags, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            await send({**start, "headers": [*headers,
                                             (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": b"" if head else body})

        await self.app(scope, receive, rewrite)


YEAR = b"public, max-age=31536000, immutable"
DAY = b"public, max-age=86400"


def cache_policy(path: str, query: str = "") -> bytes | None:
    """The Cache-Control header for a static file of the chat: Gradio's ``/assets/`` (names
    carry a content hash) and ``/theme.css?v=<hash>`` for a year; its other static files for a
    day; anything else: None (left as the route answers)."""
    if path.startswith("/assets/") or (path == "/theme.css" and query.startswith("v=")):
        return YEAR
    if path.startswith("/static/") or path in ("/manifest.json", "/favicon.ico"):
        return DAY
    return None


class StaticCache:
    """Sets ``cache_policy`` on successful GET/HEAD answers for static files."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        policy = None
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            policy = cache_policy(scope.get("path", ""),
                                  scope.get("query_string", b"").decode("latin-1"))
        if policy is None:
            await self.app(scope, receive, send)
            return

        async def cached(message: Any) -> None:
            if message["type"] == "http.response.start" and message.get("status") in (200, 304):
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", policy)]}
            await send(message)

        await self.app(scope, receive, cached)


def compress_and_cache(app: Any) -> None:
    """gzip for answers not compressed already (the page, JSON, /safety, widget.js; Gradio's
    assets come brotli-compressed, and event streams are left alone), and cache headers."""
    from starlette.middleware.gzip import GZipMiddleware

    app.add_middleware(StaticCache)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)


def request_deadline_protocol(seconds: float) -> type:
    """uvicorn's HTTP protocol (httptools or h11), plus a deadline: a connection must send
    a complete request (headers and body) within ``seconds`` of opening or of its previous
    response, else it is closed. A request being answered (an open stream) is left alone."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class DeadlineProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _deadline: Any = None

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self.loop.call_later(seconds, self._expire)

        def _expire(self) -> None:
            self._deadline = None
            transport = self.transport
            if transport is None or transport.is_closing() or transport.get_protocol() is not self:
                return  # closed already, or handed over to a websocket
            cycle = self.cycle
            if cycle is not None and not cycle.more_body and not cycle.response_complete:
                self._arm()  # the whole request arrived; its answer is under way
                return
            transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            super().connection_lost(exc)

    return DeadlineProtocol
