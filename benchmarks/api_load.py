"""Load test of the running service on PostgreSQL: ``POST /v1/scan`` and batched
``POST /v1/listings``.

Run: python benchmarks/api_load.py [--workers 2] [--concurrency 16] [--seconds 20]

Finds or starts a PostgreSQL (as the test command does), creates a throwaway database,
starts ``keepwild serve`` on it (uvicorn, ``--workers`` processes) on a loopback port, and
drives it from this separate process with an asyncio HTTP/1.1 client over keep-alive
connections (a few microseconds per request, so the client takes little of the CPU the
service needs). Two listing mixes, each driven on both endpoints: generated marketplace
listings (3 % mention a lexicon item term, as on a real platform where almost all listings are
clean) and the shipped labeled corpus (40 % wildlife offers plus hard negatives: a worst case).
Prints requests/s and p50/p95/p99 latency for each endpoint against the targets
(≥ 1,000 scans/s with p99 ≤ 50 ms; ≥ 5,000 listings/s ingested in batches), then stops the
service and drops the database. Figures depend on what else runs on the machine, so each
phase also prints the CPU time the service and PostgreSQL spent per scan or listing, and how
many cores the rest of the machine took meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_throughput import make_corpus  # noqa: E402

from keepwild.lexicon import load_lexicon  # noqa: E402
from keepwild.lexicon.schema import ITEM_KINDS  # noqa: E402
from keepwild.service import accounts  # noqa: E402
from keepwild.service.auth import Principal, role_scopes  # noqa: E402
from keepwild.store.database import Database  # noqa: E402
from keepwild.store.pgserver import create_database, drop_database, find_or_start  # noqa: E402
from keepwild.training.corpus import shipped_corpus  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def platform_key(url: str) -> str:
    """An admin account and a key scoped to scan and ingest, as a platform would hold."""
    db = Database(url)
    db.upgrade()
    now = datetime.now(UTC)
    user = accounts.create_user(db, username="platform", role="admin", now=now,
                                actor="system:benchmark")
    caller = Principal(user.id, user.username, user.role, role_scopes("admin"), 0, "bench")
    token, _ = accounts.issue_key(db, caller, name="load", scopes=["scan", "ingest"],
                                  user_id=None, expires_days=1, now=now)
    db.dispose()
    return token


ERRORS: list[str] = []  # the first few error responses, printed at the end


class Connection:
    """One keep-alive HTTP/1.1 connection: write a request, read the response."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes) -> int:
        """The response status; a connection the server closed or reset (uvicorn restarts a
        worker it finds unresponsive) is reopened and the request counts as status 0."""
        try:
            self.writer.write(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.key}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            status_line = await self.reader.readline()
        except (ConnectionResetError, BrokenPipeError):
            status_line = b""
        if not status_line:
            if len(ERRORS) < 5:
                ERRORS.append("connection closed or reset by the server")
            self.close()
            await self.open()
            return 0
        status = int(status_line.split()[1])
        length = 0
        close = False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"connection" and value.strip().lower() == b"close":
                close = True
        answer = await self.reader.readexactly(length)
        if close:  # the server asked for a new connection for the next request
            self.close()
            await self.open()
        if status != 200 and len(ERRORS) < 5:
            ERRORS.append(f"{status} {answer[:200]!r}")
        return status

    def close(self) -> None:
        self.writer.close()


async def drive(port: int, key: str, path: str, bodies: list[bytes] | Callable[[int], bytes],
                concurrency: int, seconds: float) -> tuple[list[float], int, float]:
    """``concurrency`` connections sending ``bodies`` in turn for ``seconds`` (a list, sent
    round and round, or a function of the request's number): latencies, errors, elapsed."""
    body_of = bodies if callable(bodies) else (lambda n: bodies[n % len(bodies)])
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    next_body = 0

    async def worker() -> None:
        nonlocal errors, next_body
        connection = Connection(port, key)
        await connection.open()
        while time.perf_counter() < stop:
            body = body_of(next_body)
            next_body += 1
            started = time.perf_counter()
            status = await connection.post(path, body)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def _ticks(pid: int) -> int:
    """CPU time (user + system, in clock ticks) of one process; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _machine_busy() -> int:
    """CPU ticks the whole machine spent busy (every core, every process) since boot."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return sum(values) - values[3] - values[4]  # minus idle and iowait


class CpuMeter:
    """CPU time spent by the service's processes (the supervisor and its workers) and by the
    PostgreSQL backends serving the benchmark's database, against the whole machine's: on a
    shared machine the throughput depends on what else runs, the CPU per listing much less.
    Linux only (``/proc``); elsewhere it reports nothing."""

    def __init__(self, service_pid: int, database: str) -> None:
        self.service_pid = service_pid
        self.database = database
        self.available = os.path.exists("/proc/stat")

    def _pids(self) -> tuple[list[int], list[int]]:
        service, postgres = [self.service_pid], []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    command = handle.read()
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == self.service_pid:
                service.append(int(entry))
            elif command.startswith(b"postgres: ") and self.database.encode() in command:
                postgres.append(int(entry))
        return service, postgres

    def snapshot(self) -> tuple[dict[int, int], dict[int, int], int, float]:
        if not self.available:
            return {}, {}, 0, time.perf_counter()
        service, postgres = self._pids()
        return ({pid: _ticks(pid) for pid in service}, {pid: _ticks(pid) for pid in postgres},
                _machine_busy(), time.perf_counter())

    def since(self, before: tuple[dict[int, int], dict[int, int], int, float], items: int,
              unit: str) -> str:
        """CPU per item of the service and PostgreSQL since ``before``, and what the rest of
        the machine took meanwhile (in cores)."""
        if not self.available or items == 0:
            return ""
        after = self.snapshot()
        tick = os.sysconf("SC_CLK_TCK")

        def spent(old: dict[int, int], new: dict[int, int]) -> float:
            return sum(ticks - old.get(pid, 0) for pid, ticks in new.items()) / tick

        service, postgres = spent(before[0], after[0]), spent(before[1], after[1])
        elapsed = after[3] - before[3]
        others = (after[2] - before[2]) / tick - service - postgres
        # Each worker's share: keep-alive connections stay with the worker that accepted them,
        # and one worker can take all of them (it then runs on one core, the GIL's).
        shares = sorted((ticks - before[0].get(pid, 0)) / tick / elapsed
                        for pid, ticks in after[0].items() if pid != self.service_pid)
        split = " + ".join(f"{share:.2f}" for share in shares if share >= 0.01) or "0"
        return (f"CPU per {unit}: service "
                f"{service / items * 1e6:,.0f} µs, PostgreSQL {postgres / items * 1e6:,.0f} µs "
                f"(service {service / elapsed:.2f} cores, by worker {split}; PostgreSQL "
                f"{postgres / elapsed:.2f}, everything else on the machine incl. this load "
                f"generator {max(0.0, others) / elapsed:.2f})")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, latencies: list[float], errors: int, elapsed: float, per_request: int,
           unit: str, target: float, p99_target: float | None) -> None:
    rate = len(latencies) * per_request / elapsed
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.5, 0.95, 0.99))
    verdict = rate >= target and (p99_target is None or p99 <= p99_target)
    goal = f"≥ {target:,.0f} {unit}/s" + (f", p99 ≤ {p99_target:.0f} ms" if p99_target else "")
    print(f"{name}: {rate:,.0f} {unit}/s ({len(latencies):,} requests in {elapsed:.1f} s, "
          f"{errors} errors); latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
          f"mean {statistics.fmean(latencies) * 1000:.1f} ms; target {goal}: "
          f"{'met' if verdict else 'NOT met'}")


MIXES = {
    "marketplace": "generated marketplace listings of ~400 bytes in 12 languages, 3 % mentioning "
                   "a lexicon item term (as in scan_throughput.py)",
    "corpus": "the shipped labeled corpus (40 % wildlife offers plus hard negatives: far "
              "harder than real traffic)",
}


def mix_bodies(mix: str) -> list[dict[str, Any]]:
    """Request bodies of one listing mix."""
    if mix == "corpus":
        listings = [item.listing for item in shipped_corpus()]
    else:
        terms_by_lang: dict[str, list[str]] = {}
        for term in load_lexicon().matchable():
            if term.kind in ITEM_KINDS:
                terms_by_lang.setdefault(term.lang, []).append(term.term)
        listings = make_corpus(12_000, 11, 0.03, terms_by_lang)
    bodies = []
    for listing in listings:
        body: dict[str, Any] = {"id": listing.id, "title": listing.title,
                                "description": listing.description}
        if listing.price is not None:
            body["price"] = listing.price
        bodies.append(body)
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="service worker processes")
    parser.add_argument("--concurrency", type=int, default=16, help="connections for scans")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each phase")
    parser.add_argument("--batch", type=int, default=1000, help="listings per ingest request")
    # Four batches in flight per worker: while one batch's rows go to PostgreSQL, the worker
    # scans the next (on the corpus mix the service used 1.32 cores with four connections and
    # 1.44 with eight, 4,997 and 5,454 listings/s, in runs printed by this script).
    parser.add_argument("--ingest-concurrency", type=int, default=8,
                        help="connections sending ingest batches at once")
    parser.add_argument("--mix", nargs="+", choices=sorted(MIXES),
                        default=["marketplace", "corpus"], help="listing mixes to drive")
    args = parser.parse_args()

    server = find_or_start()
    print(f"postgresql: {server.how}")
    name = f"keepwild_bench_{os.getpid()}"
    url = create_database(server.url, name)
    service = None
    try:
        key = platform_key(url)
        port = free_port()
        env = {**os.environ, "KEEPWILD_MAX_BATCH": str(args.batch),
               "KEEPWILD_MAX_BODY_BYTES": str(64 * 1024 * 1024),
               "KEEPWILD_AUTH_CACHE_SECONDS": "60", "KEEPWILD_LEXICON_POLL_SECONDS": "60"}
        service = subprocess.Popen(
            [sys.executable, "-m", "keepwild", "serve", "--database", url, "--port", str(port),
             "--workers", str(args.workers)], env=env)
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if service.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start")
            time.sleep(0.5)
        meter = CpuMeter(service.pid, name)
        print(flush=True)
        print(f"service: keepwild serve --workers {args.workers} on 127.0.0.1:{port}; "
              f"{os.cpu_count()} CPUs")
        for mix in args.mix:
            bodies = mix_bodies(mix)
            print(f"\nlistings: {MIXES[mix]} ({len(bodies):,} distinct)", flush=True)
            scans = [orjson.dumps(body) for body in bodies]
            asyncio.run(drive(port, key, "/v1/scan", scans, args.concurrency, 3.0))  # warm-up
            before = meter.snapshot()
            latencies, errors, elapsed = asyncio.run(
                drive(port, key, "/v1/scan", scans, args.concurrency, args.seconds))
            report(f"POST /v1/scan ({args.concurrency} connections)", latencies, errors,
                   elapsed, 1, "scans", 1000, 50)
            print(f"  {meter.since(before, len(latencies), 'scan')}")

            def batch(number: int, bodies: list[dict[str, Any]] = bodies, mix: str = mix
                      ) -> bytes:
                """The ``number``-th batch, of exactly ``--batch`` listings: the mix sent
                round after round under new ids, so every listing is new however fast the
                service goes (about 1 ms a batch)."""
                first, count = number * args.batch, len(bodies)
                return orjson.dumps({"listings": [
                    {**bodies[n % count], "id": f"{mix}-{bodies[n % count]['id']}-r{n // count}"}
                    for n in range(first, first + args.batch)]})

            before = meter.snapshot()
            latencies, errors, elapsed = asyncio.run(
                drive(port, key, "/v1/listings", batch, args.ingest_concurrency, args.seconds))
            report(f"POST /v1/listings (batches of {args.batch}, {args.ingest_concurrency} "
                   "connections)", latencies, errors, elapsed, args.batch, "listings", 5000,
                   None)
            print(f"  {meter.since(before, len(latencies) * args.batch, 'listing')}")
        for error in ERRORS:
            print(f"error response: {error}")
    finally:
        if service is not None:
            service.send_signal(signal.SIGINT)
            try:
                service.wait(timeout=60)
            except subprocess.TimeoutExpired:
                service.kill()
        drop_database(server.url, name)
        server.stop()


if __name__ == "__main__":
    main()
