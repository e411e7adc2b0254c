"""The service's commands on real databases: ``keepwild demo`` loads the demo platform,
``keepwild serve`` serves it (a real uvicorn process), ``keepwild audit verify`` checks the
trail and catches an edit, ``keepwild export decisions`` writes data that ``keepwild train``
accepts. Commands other than ``serve`` run in-process through Typer's CliRunner (a new
Python process costs seconds of imports)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text
from typer.testing import CliRunner, Result

from keepwild.cli import app

from keepwild.store.database import Database

KEEPWILD = [sys.executable, "-m", "keepwild"]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)$", output, flags=re.MULTILINE))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _use_the_served_demo(port: int, server: subprocess.Popen[bytes],
                         logins: dict[str, str]) -> None:
    """Wait for the served demo to be ready, log in as its analyst, read the metrics."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                      verify=False) as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get("/v1/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve died"
            time.sleep(0.2)
        assert client.get("/docs").status_code == 200
        session = client.post("/v1/session", json={"username": "demo-analyst",
                                                   "password": logins["demo-analyst"]})
        assert session.status_code == 200, session.text
        figures = client.get("/v1/metrics", headers={
            "Authorization": f"Bearer {session.json()['key']}"}).json()
        assert figures["listings"]["total"] >= 48 + 36
        assert len(figures["listings"]["by_language"]) >= 10
        assert figures["decisions"]["by_action"] and figures["reports"]["total"] > 0


def test_demo_then_serve_then_audit(database_url: str) -> None:
    done = run("demo", "--database", database_url, "--per-language", "4", "--decisions", "12")
    assert done.exit_code == 0, done.stderr
    assert "scanned in 12 languages" in done.stdout
    logins = passwords(done.stdout)
    assert set(logins) == {f"demo-{r}" for r in ("admin", "curator", "moderator", "spotter",
                                                 "analyst")}

    port = free_port()
    with subprocess.Popen([*KEEPWILD, "serve", "--database", database_url, "--port",
                           str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, "KEEPWILD_LEXICON_POLL_SECONDS": "60"}
                          ) as server:
        try:
            _use_the_served_demo(port, server, logins)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)

    verified = run("audit", "verify", "--database", database_url)
    assert verified.exit_code == 0, verified.stderr
    assert re.search(r"audit trail intact: \d+ entries", verified.stdout)
    db = Database(database_url)
    with db.transaction() as session:
        session.execute(text("UPDATE audit_log SET action = 'queue.claim' WHERE seq = 7"))
    db.dispose()
    tampered = run("audit", "verify", "--database", database_url)
    assert tampered.exit_code == 4
    assert "audit trail broken at entry 7" in tampered.stderr


def test_exported_decisions_train_a_model(sqlite_database: str, tmp_path: Path) -> None:
    from db_fixtures import empty_tables

    empty_tables(sqlite_database)
    first = run("demo", "--database", sqlite_database, "--per-language", "12",
                "--decisions", "0")
    assert first.exit_code == 0, first.stderr
    done = run("demo", "--database", sqlite_database, "--per-language", "12",
               "--decisions", "400")
    assert done.exit_code == 0, done.stderr  # loading twice is safe...
    assert passwords(done.stdout) != passwords(first.stdout)  # ...with fresh passwords
    exported = tmp_path / "decisions.jsonl"
    out = run("export", "decisions", "--database", sqlite_database, "--out", str(exported))
    assert out.exit_code == 0, out.stderr
    records = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    assert len(records) >= 60
    assert {r["label"] for r in records} == {0, 1}
    assert {r["split"] for r in records} <= {"train", "dev", "test"}
    assert all(r["decision"]["action"] in ("remove", "allow", "escalate") for r in records)
    model = tmp_path / "model.json"
    trained = run("train", str(exported), "--out", str(model))
    assert trained.exit_code == 0, trained.stderr
    assert json.loads(model.read_text("utf-8"))["metadata"]["train"] > 0


def test_users_add_and_bad_database_url(sqlite_database: str) -> None:
    done = run("users", "add", "alice", "--role", "admin", "--database", sqlite_database)
    assert done.exit_code == 0, done.stderr
    assert re.match(r"created admin 'alice'; password: \S{16,}", done.stdout)
    duplicate = run("users", "add", "alice", "--role", "admin", "--database", sqlite_database)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.stderr
    bad = run("audit", "verify", "--database", "mysql://nowhere/db")
    assert bad.exit_code == 2 and "SQLite or PostgreSQL" in bad.stderr
    assert "Traceback" not in bad.stderr
