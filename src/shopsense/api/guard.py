"""Admission at the door: a bound on requests in flight and on body size.

Beyond ``max_in_flight`` concurrent requests the server answers 503 with
``Retry-After`` at once instead of queueing: the queue is never unbounded.
Bodies are read up to ``MAX_BODY_BYTES``; a larger one (by Content-Length or
by counting a chunked stream) answers 413 without reaching a route.

With several worker processes, each client connection stays with the worker the kernel
gave it, and a worker that got more connections than its share gets more requests than
it can answer while another idles. Above ``rebalance_above`` requests in flight a
worker answers with ``Connection: close``: the client's next connection is spread over
the workers again, so the busy one sheds connections until the load evens out. It sheds
at most one connection per ``REBALANCE_SECONDS``: when every worker is saturated, moving
connections helps nothing, and reconnecting on every answer would cost CPU. Health
checks (``EXEMPT_PATHS``) are never turned away and never shed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from shopsense.api.errors import RETRY_AFTER_SECONDS
from shopsense.api.metrics import Metrics

MAX_BODY_BYTES = 16 * 1024 * 1024
EXEMPT_PATHS = frozenset({"/health"})
REBALANCE_SECONDS = 0.25

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send_error(
    send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


class Guard:
    """ASGI middleware: bounded concurrency, bounded bodies, request metrics."""

    def __init__(
        self, app: ASGIApp, *, max_in_flight: int, metrics: Metrics, rebalance_above: int = 0
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.metrics = metrics
        self.rebalance_above = rebalance_above  # 0: never ask clients to reconnect
        self._last_shed = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] not in EXEMPT_PATHS and self.metrics.in_flight >= self.max_in_flight:
            self.metrics.rejected("overloaded")
            retry = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())]
            message = "the server is at capacity; retry after the given seconds"
            await _send_error(send, 503, "overloaded", message, retry)
            return
        self.metrics.in_flight += 1
        started = time.perf_counter()
        status_box = [500]

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = int(message["status"])
                if scope["path"] not in EXEMPT_PATHS and self._shed():
                    headers = [*message.get("headers", []), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            replay = await self._read_body(scope, receive, tracking_send)
            if replay is not None:
                await self.app(scope, replay, tracking_send)
        finally:
            self.metrics.in_flight -= 1
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(
                scope["method"], path, status_box[0], time.perf_counter() - started
            )

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The whole body, bounded, replayed to the app; None when already answered."""
        declared = _declared_length(scope)
        too_big = f"the request body is larger than the {MAX_BODY_BYTES // (1024 * 1024)} MB limit"
        if declared is not None and declared > MAX_BODY_BYTES:
            await _send_error(send, 413, "body_too_large", too_big, [])
            return None
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                chunks.clear()
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await _send_error(send, 413, "body_too_large", too_big, [])
                return None
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _shed(self) -> bool:
        """Whether this answer should close its connection (see the module docstring)."""
        if not self.rebalance_above or self.metrics.in_flight <= self.rebalance_above:
            return False
        now = time.monotonic()
        if now - self._last_shed < REBALANCE_SECONDS:
            return False
        self._last_shed = now
        return True
