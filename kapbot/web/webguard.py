"""Guards in front of the Gradio chat, as plain ASGI middleware (no FastAPI import).

``ChatGuard`` reads every body sent to the chat's routes (not ``/api/…`` or ``/admin/…``, which
have their own checks) up to ``max_body`` bytes and answers 413 past it, so a huge history is
never parsed, kept or logged. For the requests that put a chat event in Gradio's queue
(``/gradio_api/queue/join``, ``/gradio_api/call/…``) it cuts the history sent to its last turns,
counts the visitor's events, and answers 429 past ``joins`` a minute, or 503 when ``room``
events are already waiting. A crisis message is never refused: its body is screened
(``is_crisis``, in a worker thread) before either answer, and it joins whatever the load. A
message the crisis rules catch (``urgent``) skips the limits and goes to the front of the queue
(``first``), so its reply never waits behind a flood.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kapbot import wording
from kapbot.guard import RateLimiter
from kapbot.guard import visitor_key as guard_visitor_key

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_CHAT_BODY = 64 * 1024  # a message, the last turns of the chat and Gradio's envelope
QUEUE_ROOM = 200  # chat events waiting at once; past it only a crisis message joins
MMAP_THRESHOLD = 64 * 1024  # blocks from this size are mapped and given back when freed
LIST_ITEMS = 20  # the chat's history: the last turns only (the chat itself keeps no more)
JOIN_PATHS = ("/gradio_api/queue/join", "/gradio_api/call/")
OWN_CHECKS = ("/api/", "/admin/")  # routes with their own body limits


def limit_malloc_arenas(arenas: int = 1, mmap_threshold: int = MMAP_THRESHOLD) -> bool:
    """Ask glibc for at most ``arenas`` malloc arenas (``MALLOC_ARENA_MAX``) and a fixed mmap
    threshold (``MALLOC_MMAP_THRESHOLD_``) from now on. By default worker threads get arenas of
    their own, each keeping the peak of the requests it ran: 40 long messages at once left the
    server at 950 MB instead of 450 (benchmarks/flood.md). And glibc raises its mmap threshold
    each time a large block is freed (up to 32 MB), so the model's activation buffers end up on
    the heap, which fragments and is never given back: with the threshold fixed at 64 KB they
    are mapped and unmapped per call (40 long messages through the ONNX model: peak 637 → 349 MB,
    after 324 → 194 MB). False where there is no glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, arenas)) and bool(  # -8: M_ARENA_MAX
            libc.mallopt(-3, mmap_threshold))  # -3: M_MMAP_THRESHOLD (turns off its growth)
    except (OSError, AttributeError):
        return False


def visitor_key(scope: Scope) -> str:
    """Who is asking, for the per-visitor limits: the connection's address (IPv6 by its /64),
    as everywhere else (``kapbot.guard.visitor_key``)."""
    client = scope.get("client")
    return guard_visitor_key(str(client[0]) if client else None)


def _inputs(body: bytes) -> tuple[dict[str, Any], list[Any]] | None:
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        return None
    data = event.get("data") if isinstance(event, dict) else None
    return (event, data) if isinstance(data, list) else None


def chat_message(body: bytes) -> object:
    """The visitor's message in a queue-join body (the event's first input), or None."""
    found = _inputs(body)
    return found[1][0] if found and found[1] else None


def trimmed(body: bytes) -> bytes:
    """The join body with each list input (the history) cut to its last ``LIST_ITEMS`` items,
    so a long or malformed history is neither parsed whole nor logged whole."""
    found = _inputs(body)
    if found is None or not any(isinstance(x, list) and len(x) > LIST_ITEMS for x in found[1]):
        return body
    event, data = found
    event["data"] = [x[-LIST_ITEMS:] if isinstance(x, list) else x for x in data]
    return json.dumps(event).encode()


class ChatGuard:
    def __init__(self, app: Any, joins: RateLimiter, is_crisis: Callable[[object, str], bool],
                 urgent: Callable[[object], bool], queue_length: Callable[[], int],
                 first: Callable[[str], None], max_body: int = MAX_CHAT_BODY,
                 room: int = QUEUE_ROOM) -> None:
        self.app, self.joins, self.is_crisis, self.urgent = app, joins, is_crisis, urgent
        self.queue_length, self.first = queue_length, first
        self.max_body, self.room = max_body, room

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH")
                or path.startswith(OWN_CHECKS)):
            await self.app(scope, receive, send)
            return
        body = await self._read(scope, receive)
        if body is None:
            await _refuse(send, 413, wording.CHAT_TOO_BIG)
            return
        urgent = False
        if path.startswith(JOIN_PATHS):
            visitor, message = visitor_key(scope), chat_message(body)
            urgent = isinstance(message, str) and await asyncio.to_thread(self.urgent, message)
            over = not urgent and not self.joins.allow(visitor)
            full = not urgent and self.queue_length() >= self.room
            if (over or full) and not await asyncio.to_thread(self.is_crisis, message, visitor):
                if over:
                    await _refuse(send, 429, wording.RATE_LIMITED)
                else:
                    await _refuse(send, 503, wording.CHAT_BUSY)
                return
            body = trimmed(body)
        sent = False

        headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # after the body: a disconnect, when it comes
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send_first(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body":
                with contextlib.suppress(ValueError, KeyError, TypeError):  # {"event_id": …}
                    self.first(str(json.loads(message.get("body", b""))["event_id"]))

        await self.app(scope, replay, send_first if urgent else send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when it is bigger than ``max_body`` (read and dropped up to
        16 times that, so the client gets the 413 cleanly)."""
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        too_big = not declared.isdigit() or int(declared) > self.max_body
        body, seen = bytearray(), 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None if too_big else bytes(body)
            part = message.get("body", b"")
            seen += len(part)
            too_big = too_big or seen > self.max_body
            if not too_big:
                body += part
            if not message.get("more_body", False) or seen > 16 * self.max_body:
                return None if too_big else bytes(body)


async def _refuse(send: Send, status: int, text: str) -> None:
    payload = json.dumps({"detail": text, "error": text}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
