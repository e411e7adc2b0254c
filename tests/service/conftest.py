"""A real keepwild service per database backend, served by uvicorn on a loopback port,
reused across the tests of a worker (its tables are emptied before each test), with a clock
the tests can move, and users of every role with their API keys."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from keepwild.service.app import create_app
from keepwild.service.auth import ROLES, hash_password, new_key, role_scopes
from keepwild.service.deps import Runtime
from keepwild.service.settings import Settings
from keepwild.store.database import Database
from keepwild.store.tables import ApiKey, User

SMALL_LEXICON = Path(__file__).parents[1] / "data" / "small_lexicon"
PASSWORD = "correct horse battery staple"


class Clock:
    """Time the service sees; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Server:
    """uvicorn serving ``app`` in a thread, on a port of its own."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning",
                                                    lifespan="on", access_log=False))
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test service did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


@dataclass
class Service:
    url: str
    runtime: Runtime
    clock: Clock
    db: Database

    def client(self, key: str | None = None, **options: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        # plain HTTP on loopback: skip building a certificate store (70 ms a client)
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, verify=False,
                            **options)


def service_settings(url: str, clock: Callable[[], datetime], **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(database_url=url, lexicon=str(SMALL_LEXICON), model="none",
                                  background=False, clock=clock, lease_seconds=300,
                                  reports_per_hour_public=5, max_batch=50, max_claim=20,
                                  max_body_bytes=256 * 1024)
    values.update(overrides)
    return Settings(**values)


_SERVICES: dict[str, tuple[Service, Server]] = {}


@pytest.fixture(scope="session")
def _services() -> Iterator[dict[str, tuple[Service, Server]]]:
    yield _SERVICES
    for _, server in _SERVICES.values():
        server.__exit__()


@pytest.fixture
def service(database_url: str, _services: dict[str, tuple[Service, Server]]) -> Service:
    """The running service on this test's database (emptied), with the clock reset."""
    backend = database_url.split(":")[0]
    if backend not in _services:
        clock = Clock()
        app = create_app(service_settings(database_url, clock))
        server = Server(app).__enter__()
        runtime = app.state.runtime
        _services[backend] = (Service(server.url, runtime, clock, runtime.db), server)
    svc = _services[backend][0]
    svc.clock.now = Clock().now
    svc.runtime.scanner.refresh(svc.db)  # the lexicon edits of an earlier test are gone
    svc.runtime.auth.forget()
    return svc


_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))  # argon2 is slow on purpose: hash once
    return _HASH[0]


def add_user(db: Database, username: str, role: str, scopes: frozenset[str] | None = None,
             now: datetime | None = None) -> tuple[int, str]:
    """A user and one API key for it (all the role's scopes unless ``scopes``)."""
    now = now or datetime(2026, 11, 1, tzinfo=UTC)
    token, prefix, digest = new_key()
    with db.transaction() as session:
        user = User(username=username, role=role, password_hash=password_hash(),
                    display_name=username.title(), active=True, created_at=now)
        session.add(user)
        session.flush()
        session.add(ApiKey(user_id=user.id, name="test", prefix=prefix, secret_hash=digest,
                           scopes=sorted(scopes if scopes is not None else role_scopes(role)),
                           created_at=now))
        return user.id, token


@pytest.fixture
def keys(service: Service) -> dict[str, str]:
    """An API key per role (``moderator2`` is a second moderator)."""
    tokens = {role: add_user(service.db, role, role)[1] for role in ROLES}
    tokens["moderator2"] = add_user(service.db, "moderator2", "moderator")[1]
    return tokens


@pytest.fixture
def as_role(service: Service, keys: dict[str, str]) -> Iterator[Callable[[str], httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(role: str) -> httpx.Client:
        clients.append(service.client(keys[role]))
        return clients[-1]

    yield make
    for client in clients:
        client.close()
