"""A small keep-alive HTTP/1.1 load generator on asyncio streams (loopback only).

Lighter than a full client so that, on a 2-core machine, the generator takes as
little CPU from the server as possible. Open loop: requests are *scheduled* at a
fixed rate and latency is measured from the scheduled time, so a slow server
cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    cache_hits: int = 0  # answers with ``X-Search-Cache: hit``
    reconnects: int = 0  # connections the server closed (``Connection: close``)

    @property
    def hit_rate(self) -> float:
        return self.cache_hits / len(self.latencies) if self.latencies else 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def get(self, target: str, headers: str) -> tuple[int, bool, bool]:
        """Status of a GET, whether the server says it came from its result cache, and
        whether it closes the connection (``Connection: close``: open a new one)."""
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: load\r\n{headers}\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, hit, closes = 0, False, False
        for line in head.split(b"\r\n"):
            lower = line.lower()
            if lower.startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
            elif lower.startswith(b"x-search-cache:"):
                hit = lower.endswith(b"hit")
            elif lower.startswith(b"connection:"):
                closes = lower.endswith(b"close")
        await self.reader.readexactly(length)
        return status, hit, closes

    def close(self) -> None:
        self.writer.close()


async def run_load(
    url: str,
    targets: Callable[[int], str],
    headers: dict[str, str],
    *,
    connections: int,
    seconds: float,
    rate: float | None,
) -> LoadResult:
    """Send GETs for ``seconds`` over ``connections`` keep-alive connections.

    ``rate`` None: closed loop (each connection sends as fast as answers come).
    Otherwise: open loop at ``rate`` requests/s spread over the connections.
    """
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    result = LoadResult()
    conns = [await Connection.open(url) for _ in range(connections)]
    start = time.perf_counter()
    stop = start + seconds

    async def worker(w: int) -> None:
        n = 0
        while True:
            i = n * connections + w
            planned = start + i / rate if rate else time.perf_counter()
            if planned >= stop:
                return
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            status, hit, closes = await conns[w].get(targets(i), head)
            if closes:  # the server sheds this connection: reconnect, as browsers and wrk do
                conns[w].close()
                conns[w] = await Connection.open(url)
                result.reconnects += 1
            result.latencies.append(time.perf_counter() - planned)
            result.cache_hits += hit
            result.statuses[status] = result.statuses.get(status, 0) + 1
            n += 1

    try:
        await asyncio.wait_for(
            asyncio.gather(*(worker(w) for w in range(connections))), seconds + 120
        )
    finally:
        result.seconds = time.perf_counter() - start
        for c in conns:
            c.close()
    return result
