"""Find a PostgreSQL to test and benchmark against, or start a throwaway one.

The order is the test command's contract: the server at ``KEEPWILD_TEST_POSTGRES_URL``, else
one accepting connections on 127.0.0.1:5432 as user ``postgres``, else a private server
started from the local PostgreSQL binaries in a temporary directory (run as the unprivileged
``postgres`` user when we are root, as ``initdb`` refuses root), stopped and deleted at the end.
Each caller then works in its own database (:func:`create_database`), so parallel test
workers and benchmarks never see each other's rows.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

__all__ = ["PgServer", "find_or_start", "create_database", "drop_database", "ENV_TEST_URL",
           "database_url"]

ENV_TEST_URL = "KEEPWILD_TEST_POSTGRES_URL"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class PgServer:
    """A reachable server: ``url`` connects to its maintenance database as a superuser."""

    url: str
    how: str
    process: subprocess.Popen[bytes] | None = None
    directory: Path | None = None
    log: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """Stop a server we started (a found one is left alone) and delete its files."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # smart shutdown: clients are disconnected
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def _reachable(url: str) -> str | None:
    """None if ``url`` accepts a connection, else why not."""
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
        return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/pgsql/bin/initdb"))
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix (and ids) to run PostgreSQL as a non-root user when we are root."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root and there is no 'postgres' user to run "
                           "PostgreSQL as") from None
    runuser = shutil.which("runuser")
    prefix = [runuser, "-u", "postgres", "--"] if runuser else []
    return prefix, account.pw_uid, account.pw_gid


def start_throwaway(timeout: float = 60.0) -> PgServer:
    """Initialise and start a private server on a free loopback port (fast, not durable)."""
    binaries = _binaries()
    if binaries is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) found on PATH or in "
                           "/usr/lib/postgresql/*/bin")
    prefix, uid, gid = _as_user()
    directory = Path(tempfile.mkdtemp(prefix="keepwild-pg-"))
    data = directory / "data"
    if uid is not None and gid is not None:
        os.chown(directory, uid, gid)
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                    "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"],
                   check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [*prefix, str(binaries / "postgres"), "-D", str(data), "-p", str(port),
         "-k", str(directory), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
         "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
         "-c", "max_connections=200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = PgServer(url, f"started a throwaway PostgreSQL from {binaries} on port {port}",
                      process, directory)
    deadline = time.monotonic() + timeout
    while _reachable(url) is not None:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the throwaway PostgreSQL in {data} did not start")
        time.sleep(0.2)
    return server


def find_or_start() -> PgServer:
    """The configured server, the local one, or a new throwaway one (see the module doc)."""
    configured = os.environ.get(ENV_TEST_URL)
    if configured:
        problem = _reachable(configured)
        if problem:
            raise RuntimeError(f"{ENV_TEST_URL} is set but unreachable: {problem}")
        return PgServer(configured, f"using {ENV_TEST_URL}")
    if _reachable(LOCAL_URL) is None:
        return PgServer(LOCAL_URL, "using the PostgreSQL on 127.0.0.1:5432")
    return start_throwaway()


def database_url(server_url: str, name: str) -> str:
    """``server_url`` pointed at database ``name``."""
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


def create_database(server_url: str, name: str) -> str:
    """(Re)create an empty database ``name``; returns its URL."""
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
