"""Action webhooks: decisions reach the platform, signed, even when its receiver was down."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from keepwild.service.app import create_app
from keepwild.service.settings import utcnow
from keepwild.service.webhooks import backoff, sign, verify_signature

from .conftest import Server, Service, add_user, service_settings

SECRET = "platform-shared-secret-0123456789"


class Receiver:
    """The platform's endpoint: a real HTTP server that can be down, then up."""

    def __init__(self, status: int = 200) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/keepwild"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                          body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver()
    yield box
    box.down()


def decide_one(as_role: Callable[[str], httpx.Client], listing_id: str = "w-1") -> None:
    as_role("admin").post("/v1/listings", json={
        "id": listing_id, "title": "Carved ivory bangle", "description": "for sale",
        "url": f"https://shop.example/{listing_id}"}).raise_for_status()
    moderator = as_role("moderator")
    [item] = moderator.post("/v1/queue/claim", json={"limit": 1}).json()["items"]
    moderator.post(f"/v1/queue/{item['id']}/decision", json={
        "action": "remove", "policy_reason": "prohibited_product", "note": "tusk"}
    ).raise_for_status()


def register(as_role: Callable[[str], httpx.Client], url: str) -> None:
    response = as_role("admin").post("/v1/webhooks", json={"url": url, "secret": SECRET})
    assert response.status_code == 201, response.text
    assert response.json()["secret"] == SECRET


def test_delivery_survives_a_receiver_that_is_down_then_back(
    service: Service, as_role: Callable[[str], httpx.Client], receiver: Receiver
) -> None:
    register(as_role, receiver.url)
    decide_one(as_role)
    dispatcher = service.runtime.dispatcher
    assert dispatcher.run_once() == (1, 0)  # receiver down: refused, retry scheduled
    assert dispatcher.run_once() == (0, 0)  # not due yet (backoff)
    service.clock.advance(seconds=backoff(1, 2.0, 600) + 1)
    receiver.status = 503
    receiver.up()
    assert dispatcher.run_once() == (1, 0)  # up but failing: still not acknowledged
    service.clock.advance(seconds=backoff(2, 2.0, 600) + 1)
    receiver.status = 200
    assert dispatcher.run_once() == (1, 1)
    service.clock.advance(hours=1)
    assert dispatcher.run_once() == (0, 0)  # acknowledged: never sent again

    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    assert verify_signature(SECRET, headers["x-keepwild-timestamp"], body,
                            headers["x-keepwild-signature"])
    assert not verify_signature("wrong-secret-wrong-secret", headers["x-keepwild-timestamp"],
                                body, headers["x-keepwild-signature"])
    event = json.loads(body)
    assert event["event"] == "decision" and event["id"] == headers["x-keepwild-delivery"]
    assert event["data"]["action"] == "remove"
    assert event["data"]["listing"] == {"id": "w-1", "url": "https://shop.example/w-1"}
    assert receiver.received[0][0]["x-keepwild-delivery"] == headers["x-keepwild-delivery"]

    log = as_role("admin").get("/v1/webhooks/deliveries").json()["deliveries"]
    assert len(log) == 1 and log[0]["status"] == "delivered" and log[0]["attempts"] == 3
    assert [a["status_code"] for a in log[0]["log"]] == [None, 503, 200]
    assert "Connect" in log[0]["log"][0]["error"]


def test_signatures_refuse_tampering_and_replays() -> None:
    body = b'{"event": "decision"}'
    stamp = str(int(time.time()))
    signature = sign(SECRET, stamp, body)
    assert verify_signature(SECRET, stamp, body, signature)
    assert not verify_signature(SECRET, stamp, body + b" ", signature)
    assert not verify_signature(SECRET, str(int(time.time()) - 3600), body,
                                sign(SECRET, str(int(time.time()) - 3600), body))
    assert not verify_signature(SECRET, "yesterday", body, signature)


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(n, 2.0, 60.0) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_the_dispatcher_thread_delivers_when_the_receiver_returns(
    database_url: str, receiver: Receiver
) -> None:
    """The running service, on its own: no test drives the dispatcher here."""
    app = create_app(service_settings(database_url, utcnow, background=True,
                                      webhook_poll_seconds=0.05, webhook_backoff_base=0.1,
                                      webhook_backoff_max=0.2, webhook_timeout=2.0))
    with Server(app) as server:
        db = app.state.runtime.db
        admin = add_user(db, "admin", "admin")[1]
        moderator = add_user(db, "moderator", "moderator")[1]
        clients = {role: httpx.Client(base_url=server.url, timeout=30, verify=False,
                                      headers={"Authorization": f"Bearer {key}"})
                   for role, key in (("admin", admin), ("moderator", moderator))}
        try:
            register(clients.__getitem__, receiver.url)
            decide_one(clients.__getitem__)
            deadline = time.monotonic() + 30
            while not _attempted(clients["admin"]) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert receiver.received == []
            receiver.up()
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(receiver.received) == 1
            while time.monotonic() < deadline:
                log = clients["admin"].get("/v1/webhooks/deliveries").json()["deliveries"]
                if log[0]["status"] == "delivered":
                    break
                time.sleep(0.05)
            assert log[0]["status"] == "delivered" and log[0]["attempts"] >= 2
        finally:
            for client in clients.values():
                client.close()


def _attempted(admin: httpx.Client) -> bool:
    deliveries = admin.get("/v1/webhooks/deliveries").json()["deliveries"]
    return bool(deliveries) and deliveries[0]["attempts"] >= 1
