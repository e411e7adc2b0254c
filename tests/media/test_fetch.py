"""Fetching images from URLs under the policy, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from keepwild.media.errors import FetchError
from keepwild.media.fetch import Fetcher, FetchPolicy, ImageLoader
from keepwild.media.hashing import hash_bytes

from .imagegen import encode, shapes

PNG = encode(shapes(21, (200, 150)))


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (size and time limits)

    def _route(self) -> None:
        if self.path == "/photo.png":
            self._send(200, PNG, {"Content-Type": "image/png"})
        elif self.path == "/big":
            self._send(200, b"x" * 5000, {})
        elif self.path == "/chunked":  # no Content-Length: the limit must hold while streaming
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, PNG, {})
        elif self.path == "/redirect-inside":
            self._send(302, b"", {"Location": "/photo.png"})
        elif self.path == "/redirect-away":
            self._send(302, b"", {"Location": "http://blocked.example/x.png"})
        elif self.path == "/host":
            self._send(200, self.headers["Host"].encode(), {})
        else:
            self._send(404, b"missing", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _fetcher(**limits: object) -> Fetcher:
    return Fetcher(FetchPolicy(allow_private=True, **limits))  # type: ignore[arg-type]


def test_fetches_and_hashes_an_image(server: str) -> None:
    with _fetcher() as fetcher:
        data = fetcher.fetch(f"{server}/photo.png")
        assert data == PNG and hash_bytes(data).matchable
        assert fetcher.fetch(f"{server}/redirect-inside") == PNG
        port = server.rsplit(":", 1)[1]
        assert fetcher.fetch(f"{server}/host") == f"127.0.0.1:{port}".encode()


def test_private_and_loopback_addresses_are_refused_by_default(server: str) -> None:
    with Fetcher() as fetcher:
        for url in (f"{server}/photo.png", "http://localhost/x.png", "http://10.1.2.3/x.png",
                    "http://[::1]/x.png", "http://169.254.169.254/latest/meta-data"):
            with pytest.raises(FetchError, match="non-public address"):
                fetcher.fetch(url)


def test_host_lists(server: str) -> None:
    with _fetcher(denied_hosts=frozenset({"127.0.0.1"})) as fetcher:
        with pytest.raises(FetchError, match="deny list"):
            fetcher.fetch(f"{server}/photo.png")
    with _fetcher(allowed_hosts=frozenset({"images.example.org"})) as fetcher:
        with pytest.raises(FetchError, match="not on the allow list"):
            fetcher.fetch(f"{server}/photo.png")
    with _fetcher(denied_hosts=frozenset({"blocked.example"})) as fetcher:
        with pytest.raises(FetchError, match="deny list"):
            fetcher.fetch(f"{server}/redirect-away")  # redirect targets are checked too


def test_size_limits_hold_with_and_without_content_length(server: str) -> None:
    with _fetcher(max_bytes=4000) as fetcher:
        with pytest.raises(FetchError, match="5,000 bytes; the limit is 4,000"):
            fetcher.fetch(f"{server}/big")
        with pytest.raises(FetchError, match="more than 4,000 bytes"):
            fetcher.fetch(f"{server}/chunked")


def test_time_limit_and_http_errors(server: str) -> None:
    with _fetcher(timeout=0.3) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            fetcher.fetch(f"{server}/slow")
    with _fetcher() as fetcher:
        with pytest.raises(FetchError, match="HTTP 404"):
            fetcher.fetch(f"{server}/nothing")
    with _fetcher(max_redirects=0) as fetcher:
        with pytest.raises(FetchError, match="more than 0 redirects"):
            fetcher.fetch(f"{server}/redirect-inside")


def test_only_http_urls_and_sane_limits() -> None:
    loader = ImageLoader()
    with pytest.raises(FetchError, match="only http"):
        loader.load("file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher().fetch("gopher://example.org/")
    with pytest.raises(FetchError, match="positive"):
        FetchPolicy(max_bytes=0)
    loader.close()
