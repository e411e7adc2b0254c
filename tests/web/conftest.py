"""The web interface under test: the whole keepwild server (API and pages) served by a real
uvicorn on a loopback port, on a real SQLite database, driven by Debian's chromium through
Playwright, or read with httpx.

Chromium is installed with ``apt-get install -y chromium`` when ``/usr/bin/chromium`` is
missing (a file lock keeps the two xdist workers from installing at once); Playwright never
downloads a browser. Each browser test saves a screenshot in ``build/test-artifacts/web``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from keepwild.service.auth import ROLES
from keepwild.store.database import Database
from keepwild.web.app import create_app
from service.conftest import PASSWORD, Clock, Server, add_user, service_settings

from db_fixtures import empty_tables

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "build" / "test-artifacts" / "web"

#: Listings every web test starts with: two flagged ones from one seller, one harmless.
LISTINGS = [
    {"id": "ad-1", "title": "Carved ivory bangle for sale",
     "description": "Real elephant ivory, DM me. Rhino horn also available.",
     "seller": "shop-77", "price": 450, "currency": "USD",
     "url": "https://market.example/item/1"},
    {"id": "ad-2", "title": "Rhino horn powder", "description": "Fast shipping",
     "seller": "shop-77", "url": "https://market.example/item/2"},
    {"id": "ad-3", "title": "Wooden elephant statue", "description": "Hand made",
     "seller": "crafts", "url": "https://market.example/item/3"},
]


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get the first time (needs root and the
    Debian archive); fails with the reason otherwise."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "keepwild-chromium.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not CHROMIUM.exists():
            apt = shutil.which("apt-get")
            if apt is None or os.geteuid() != 0:
                pytest.fail("the browser tests need Debian's chromium: "
                            "run 'apt-get install -y chromium' as root")
            print("installing Debian's chromium with apt-get (first run only)")
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run([apt, "update", "-qq"], check=True, env=env)
            subprocess.run([apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                           check=True, env=env, stdout=subprocess.DEVNULL)
    return CHROMIUM


@dataclass
class Web:
    """The running server, its database and clock, and the test users' API keys."""

    url: str
    db: Database
    clock: Clock
    runtime: Any
    keys: dict[str, str]

    def api(self, role: str = "admin") -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60,
                            headers={"Authorization": f"Bearer {self.keys[role]}"})

    def browser_client(self) -> httpx.Client:
        """A cookie-keeping client, like a browser without script."""
        return httpx.Client(base_url=self.url, timeout=60, follow_redirects=True)


_SERVER: dict[str, Any] = {}


@pytest.fixture(scope="session")
def _web_server(sqlite_database: str) -> Iterator[tuple[str, Server, Any, Clock]]:
    clock = Clock()
    app = create_app(service_settings(sqlite_database, clock, reports_per_hour_public=3))
    server = Server(app).__enter__()
    yield sqlite_database, server, app.state.runtime, clock
    server.__exit__()


@pytest.fixture
def web(_web_server: tuple[str, Server, Any, Clock]) -> Web:
    """The server with emptied tables, the clock reset, a user per role (password
    ``PASSWORD``, username = role) and the seed listings ingested."""
    url, server, runtime, clock = _web_server
    empty_tables(url)
    clock.now = Clock().now
    runtime.scanner.refresh(runtime.db)
    runtime.auth.forget()
    keys = {role: add_user(runtime.db, role, role)[1] for role in ROLES}
    site = Web(server.url, runtime.db, clock, runtime, keys)
    with site.api() as client:
        client.post("/v1/listings", json={"listings": LISTINGS}).raise_for_status()
    return site


def sign_in(client: httpx.Client, username: str) -> None:
    """Sign ``client`` in through the form, as a person would."""
    form = client.get("/signin")
    csrf = csrf_of(form.text)
    response = client.post("/signin", data={"username": username, "password": PASSWORD,
                                            "csrf": csrf})
    assert response.status_code == 200 and "/signin" not in str(response.url), response.text


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium per test session (per xdist worker)."""
    executable = ensure_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(executable), headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, web: Web, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the test server; a screenshot of where the
    test ended is saved as its artifact, pass or fail."""
    context = browser.new_context(base_url=web.url, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def browser_sign_in(tab: Page, username: str) -> None:
    tab.goto("/signin")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_load_state()
