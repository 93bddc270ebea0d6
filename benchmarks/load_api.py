"""Bounded load against `shopsense serve` on 127.0.0.1 with the 44k Myntra catalogue.

    .venv/bin/python benchmarks/load_api.py [--events 100000] [--batch 500] [--senders 4]
        [--search-seconds 20] [--clients 32] [--runs 3] [--mode bm25] [--workers 2]
        [--mix cold,zipf] [--open-loop 1]

Events: batches of ``--batch`` events from ``--senders`` concurrent clients, 5% of
batches sent twice (retries); afterwards every acknowledged event must be in the
log exactly once and no repeat may have been stored. Side by side: the same
batches appended in-process through ``EventLog.append`` (no HTTP), same store.

Search (when the server has ``GET /search``): ``--clients`` concurrent clients,
each with keep-alive, querying Myntra product titles for ``--search-seconds``;
requests/s, p50/p99 latency as seen by the client, the server's CPU seconds per
wall second (all its processes, from /proc) and the 1-minute load average. Two
query mixes: ``cold`` (distinct queries of 2–4 words of catalogue titles, none
repeated within a run nor seen in the warm-up: every request misses every cache)
and ``zipf`` (1,500 of those drawn with P(rank r) ∝ 1/r, so head queries repeat as
in a real log; each row takes the next requests of one long draw, so no row replays
another's sequence, while the server's caches carry over from row to row). The
server's result cache answers repeats; the share of answers marked
``X-Search-Cache: hit`` is reported as ``hit_rate``, and the load generator's own
CPU seconds per wall second as ``client_cpu``.

Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
The store is cached under /tmp/shopsense-load (never in the repo).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import typing
import uuid
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from _common import postgres, report, shared_data
from _http_load import LoadResult, run_load
from shopsense.app.keys import ApiKeyStore
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.events.log import EventLog
from shopsense.events.schema import Event
from shopsense.storage.engine import open_store
from shopsense.storage.schema import events as E

CACHE = Path("/tmp/shopsense-load")
MAPPING = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")
HARD_LIMIT_SECONDS = 600


def build_store(db: str | None = None) -> str:
    """The 44k Myntra catalogue in ``db`` (default: a SQLite file cached in /tmp)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    db = db or str(CACHE / "myntra.db")
    engine = open_store(db)
    try:
        if ProductStore(engine).count() < 44_000:
            path = shared_data() / "myntra_fashion" / "styles_full.csv.zip"
            ingest_file(engine, path, IngestOptions(mapping=MAPPING, source="myntra"))
    finally:
        engine.dispose()
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: str, port: int, workers: int = 1, semantic_index: str = "scan"
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "shopsense.cli.main", "serve", "--db", db, "--port", str(port)]
    cmd += ["--workers", str(workers)]
    env = dict(
        os.environ,
        SHOPSENSE_DATA_DIR=str(CACHE / "data"),
        SHOPSENSE_SEARCH_REFRESH_SECONDS="0",
        SHOPSENSE_SEMANTIC_INDEX=semantic_index,
    )
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def make_batches(n: int, size: int, prefix: str, items: list[str]) -> list[list[dict[str, Any]]]:
    rng = random.Random(7)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    types = ("view", "view", "view", "click", "cart", "buy")
    evs = [
        {
            "event_id": f"{prefix}-{i}",
            "user_id": f"U{rng.randrange(5000)}",
            "item_id": rng.choice(items),
            "type": rng.choice(types),
            "timestamp": (t0 + timedelta(seconds=i)).isoformat(),
        }
        for i in range(n)
    ]
    return [evs[i : i + size] for i in range(0, n, size)]


async def send_events(
    url: str, key: str, batches: list[list[dict[str, Any]]], senders: int
) -> tuple[float, set[str], int, int]:
    """Send every batch (5% twice); the acknowledged ids, duplicates seen, 503 retries."""
    rng = random.Random(11)
    plan = list(batches) + [b for b in batches if rng.random() < 0.05]
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for b in plan:
        queue.put_nowait(b)
    acked: set[str] = set()
    dupes = retries = 0
    headers = {"Authorization": f"Bearer {key}"}

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal dupes, retries
        while not queue.empty():
            batch = queue.get_nowait()
            for _attempt in range(20):
                r = await client.post(f"{url}/events", json={"events": batch}, headers=headers)
                if r.status_code in (429, 503):
                    retries += 1
                    await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                    continue
                r.raise_for_status()
                body = r.json()
                dupes += body["duplicates"]
                acked.update(e["event_id"] for e in body["events"])
                break

    limits = httpx.Limits(max_connections=senders)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(sender(client) for _ in range(senders))), HARD_LIMIT_SECONDS
        )
        seconds = time.perf_counter() - t0
    return seconds, acked, dupes, retries


def verify(db: str, prefix: str, acked: set[str]) -> tuple[int, int]:
    """Rows of this run in the log and distinct event ids among them."""
    engine = open_store(db)
    try:
        with engine.connect() as conn:
            rows, distinct = conn.execute(
                select(func.count(), func.count(func.distinct(E.c.event_id))).where(
                    E.c.event_id.like(f"{prefix}-%")
                )
            ).one()
            present = 0
            ids = sorted(acked)
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                present += conn.execute(
                    select(func.count()).select_from(E).where(E.c.event_id.in_(chunk))
                ).scalar_one()
    finally:
        engine.dispose()
    assert present == len(acked), f"{len(acked) - present} acknowledged events are missing"
    return int(rows), int(distinct)


def in_process_events(db: str, batches: list[list[dict[str, Any]]]) -> float:
    engine = open_store(db)
    log = EventLog(engine)
    parsed = [[Event.model_validate(e) for e in b] for b in batches]
    t0 = time.perf_counter()
    for b in parsed:
        log.append(b)
    seconds = time.perf_counter() - t0
    engine.dispose()
    return seconds


def search_queries(titles: list[str], n: int, lengths: tuple[int, ...] = (2, 3)) -> list[str]:
    """Shopper-length queries: the first two or three words of random catalogue titles."""
    rng = random.Random(5)
    out = []
    for _ in range(n):
        words = rng.choice(titles).split()
        out.append(" ".join(words[: rng.choice(lengths)]))
    return out


def distinct_queries(titles: list[str], n: int = 250_000) -> list[str]:
    """Distinct shopper-length queries (2–4 title words; ~29,700 on Myntra), first seen first
    (more draws only add queries at the end: the first ~16,800 are those of 60,000 draws)."""
    return list(dict.fromkeys(search_queries(titles, n, (2, 3, 4))))


def zipf_mix(pool: list[str], n: int, s: float = 1.0, seed: int = 11) -> list[str]:
    """``n`` queries drawn from ``pool`` with P(rank r) ∝ 1 / r^s: a few head queries
    repeat often, most are rare, as in real search logs."""
    weights = [1.0 / (r**s) for r in range(1, len(pool) + 1)]
    return random.Random(seed).choices(pool, weights=weights, k=n)


def cpu_by_process(pid: int) -> dict[int, float]:
    """User + system CPU seconds of process ``pid`` and of each of its children (the
    server's worker processes), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def worker_split(before: dict[int, float], after: dict[int, float], wall: float) -> str:
    """CPU seconds per wall second of each busy server process, busiest first: shows
    whether the workers shared the load ("0.98/0.95") or one did it all ("0.97/0.01")."""
    used = sorted((after[p] - before.get(p, 0.0) for p in after), reverse=True)
    return "/".join(f"{u / wall:.2f}" for u in used if u / wall >= 0.005)


def in_process_search(
    db: str, queries: list[str], mode: str | None = None, semantic_index: str = "scan"
) -> tuple[float, float, float]:
    """Index open time (s), then p50/p99 ms of the same queries through SearchService."""
    settings = Settings(db=db, data_dir=CACHE / "data", semantic_index=semantic_index)
    svc = Services.from_settings(settings)
    try:
        t0 = time.perf_counter()
        service = svc.search()
        opened = time.perf_counter() - t0
        lat = []
        for q in queries:
            t1 = time.perf_counter()
            service.search(search_request(settings, q, size=10, mode=mode))
            lat.append(time.perf_counter() - t1)
    finally:
        svc.close()
    lat.sort()
    return opened, lat[len(lat) // 2] * 1000, lat[int(0.99 * len(lat))] * 1000


def http_search(
    url: str, key: str, queries: list[str], args: argparse.Namespace, rate: float | None
) -> LoadResult:
    extra = {"mode": args.mode} if getattr(args, "mode", None) else {}

    def target(i: int) -> str:
        return "/search?" + urlencode({"q": queries[i % len(queries)], "size": 10, **extra})

    return asyncio.run(
        run_load(
            url,
            target,
            {"Authorization": f"Bearer {key}"},
            connections=args.clients,
            seconds=args.search_seconds,
            rate=rate,
        )
    )


def search_rows(
    url: str,
    key: str,
    queries: list[str],
    args: argparse.Namespace,
    backend: str,
    pid: int,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    # the server opens its indexes on the first search (not timed), then a short warm-up
    httpx.get(
        f"{url}/search",
        params={"q": "shirt"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=900,
    )
    warm = argparse.Namespace(clients=4, search_seconds=5, mode=args.mode)
    http_search(url, key, queries[-300:], warm, None)
    cold = iter(queries[1500:-300])  # each cold request takes queries never asked before
    zipf = iter(zipf_mix(queries[:1500], 200_000))  # each row draws requests of its own
    loops = [("closed loop", None)] + ([(f"open loop {args.rate:g}/s", args.rate)] * args.open_loop)
    for run in range(args.runs):
        for mix in args.mix.split(","):
            for label, rate in loops:
                if mix == "cold":  # fresh queries for 400 requests/s, or the offered rate
                    fresh = (1.1 * rate if rate else 400.0) * args.search_seconds
                    asked = list(islice(cold, int(fresh))) or queries
                else:
                    asked = list(islice(zipf, int(600 * args.search_seconds)))
                cpu0, t0, c0 = cpu_by_process(pid), time.perf_counter(), time.process_time()
                res = http_search(url, key, asked, args, rate)
                cpu1 = cpu_by_process(pid)
                cpu = sum(cpu1.values()) - sum(cpu0.values())
                wall = time.perf_counter() - t0
                rows.append(
                    {
                        "name": f"GET /search {args.mode or 'default'} "
                        f"({args.semantic_index}), {mix} mix, "
                        f"{args.workers} worker(s), {args.clients} conns, {label}, {backend}, "
                        f"run {run + 1}",
                        "requests_per_s": res.rate,
                        "p50_ms": res.pct_ms(0.50),
                        "p99_ms": res.pct_ms(0.99),
                        "errors": sum(n for s, n in res.statuses.items() if s != 200),
                        "hit_rate": round(res.hit_rate, 3),
                        "reconnects": res.reconnects,
                        "server_cpu_s_per_wall_s": round(cpu / wall, 2),
                        "worker_cpu": worker_split(cpu0, cpu1, wall),
                        "cpu_ms_per_request": round(1000 * cpu / max(len(res.latencies), 1), 1),
                        "client_cpu": round((time.process_time() - c0) / wall, 2),
                        "loadavg_1m": os.getloadavg()[0],
                    }
                )
                print(rows[-1], file=sys.stderr)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--search-seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--rate", type=float, default=200.0, help="open-loop search requests/s")
    ap.add_argument("--skip-events", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL store")
    ap.add_argument("--mode", default=None, help="search mode (bm25, dense, hybrid, ltr)")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument(
        "--semantic-index",
        default=Settings.model_fields["semantic_index"].default,  # the server's default
        choices=typing.get_args(Settings.model_fields["semantic_index"].annotation),
    )
    ap.add_argument(
        "--mix",
        default="cold,zipf",
        help="query mixes: cold (each query once) "
        "and/or zipf (repeats drawn with P(rank r) ∝ 1/r from the same pool)",
    )
    ap.add_argument("--open-loop", type=int, default=0, help="also run the open loop (1)")
    args = ap.parse_args()
    if args.postgres:
        with postgres() as url:
            run_all(args, build_store(url), "postgresql")
    else:
        run_all(args, build_store(), "sqlite")


def event_rows(
    url: str, key: str, db: str, items: list[str], args: argparse.Namespace, backend: str
) -> list[dict[str, Any]]:
    http_rates, local_rates = [], []
    for run in range(args.runs):
        prefix = f"load-{uuid.uuid4().hex[:8]}"
        batches = make_batches(args.events, args.batch, prefix, items)
        seconds, acked, dupes, retries = asyncio.run(send_events(url, key, batches, args.senders))
        stored, distinct = verify(db, prefix, acked)
        assert stored == distinct == len(acked) == args.events, (stored, distinct, len(acked))
        http_rates.append(args.events / seconds)
        local_prefix = f"local-{uuid.uuid4().hex[:8]}"
        local = in_process_events(db, make_batches(args.events, args.batch, local_prefix, items))
        local_rates.append(args.events / local)
        print(
            f"run {run + 1}: HTTP {args.events / seconds:,.0f} ev/s, repeats answered "
            f"duplicate {dupes}, 503 retries {retries}; in-process {args.events / local:,.0f} ev/s",
            file=sys.stderr,
        )
    return [
        {
            "name": f"POST /events (HTTP, batches), {backend}",
            "events_per_s": statistics.median(http_rates),
            "acked_present_once": True,
            "runs": args.runs,
        },
        {
            "name": f"EventLog.append (in-process), {backend}",
            "events_per_s": statistics.median(local_rates),
            "runs": args.runs,
        },
    ]


def run_all(args: argparse.Namespace, db: str, backend: str) -> None:
    engine = open_store(db)
    key = ApiKeyStore(engine).create("admin", "load benchmark").secret
    items = [p.id for p in ProductStore(engine).page(limit=100, offset=0)]
    titles = [p.title for p in ProductStore(engine).iter_all()]
    engine.dispose()
    rows: list[dict[str, Any]] = []
    queries = distinct_queries(titles)
    if not args.skip_search:  # builds (or reuses) the indexes before the server opens them
        opened, p50, p99 = in_process_search(db, queries[:300], args.mode, args.semantic_index)
        rows.append(
            {
                "name": f"SearchService in-process, {args.mode or 'default'} mode, 1 client, "
                f"{backend} (baseline)",
                "p50_ms": p50,
                "p99_ms": p99,
                "index_open_s": opened,
            }
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(db, port, args.workers, args.semantic_index)
    try:
        if not args.skip_events:
            rows.extend(event_rows(url, key, db, items, args, backend))
        if not args.skip_search:
            rows.extend(search_rows(url, key, queries, args, backend, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    report(
        f"load_api_{backend}",
        rows,
        [
            "name",
            "events_per_s",
            "requests_per_s",
            "p50_ms",
            "p99_ms",
            "errors",
            "hit_rate",
            "reconnects",
            "server_cpu_s_per_wall_s",
            "worker_cpu",
            "cpu_ms_per_request",
            "client_cpu",
            "loadavg_1m",
        ],
    )


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
