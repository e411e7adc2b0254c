"""Fetching listing images from URLs, within limits on size, time and hosts.

Listing images are URLs chosen by whoever posted the listing, so fetching them is a
server-side request on an attacker's behalf. The fetcher therefore:

- accepts only http(s) URLs whose host passes the allow and deny lists (a listed name also
  covers its subdomains);
- resolves the host itself and refuses private, loopback, link-local and other non-global
  addresses unless ``allow_private`` is set, then connects to the address it checked (the
  request carries the original Host header and TLS server name), so a DNS answer that changes
  between check and connection cannot redirect it inward;
- re-checks every redirect target, follows at most ``max_redirects``;
- stops reading past ``max_bytes`` and gives up after ``timeout`` seconds in all.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from keepwild.media.errors import FetchError, ImageError
from keepwild.media.hashing import MAX_IMAGE_BYTES, decode_data_uri

__all__ = ["FetchPolicy", "Fetcher", "ImageLoader"]

_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for fetching images. Empty ``allowed_hosts`` means any public host."""

    max_bytes: int = MAX_IMAGE_BYTES
    timeout: float = 10.0
    max_redirects: int = 3
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    denied_hosts: frozenset[str] = field(default_factory=frozenset)
    allow_private: bool = False

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.timeout <= 0 or self.max_redirects < 0:
            raise FetchError("fetch limits must be positive")
        object.__setattr__(self, "allowed_hosts", frozenset(h.lower() for h in self.allowed_hosts))
        object.__setattr__(self, "denied_hosts", frozenset(h.lower() for h in self.denied_hosts))


def _listed(host: str, names: frozenset[str]) -> bool:
    return any(host == name or host.endswith("." + name) for name in names)


class Fetcher:
    """Fetches image bytes under a :class:`FetchPolicy`. Reuses connections; close() when done
    (or use as a context manager)."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._client = httpx.Client(follow_redirects=False, trust_env=False)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str) -> bytes:
        """The body of ``url``; raises FetchError saying which limit or check refused it."""
        deadline = time.monotonic() + self.policy.timeout
        for _ in range(self.policy.max_redirects + 1):
            target, host_header, host = self._checked_target(url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"{url}: timed out after {self.policy.timeout:g} s")
            try:
                with self._client.stream(
                    "GET", target, headers={"Host": host_header, "Accept": "image/*"},
                    timeout=httpx.Timeout(remaining), extensions={"sni_hostname": host},
                ) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"{url}: HTTP {response.status_code}")
                    return self._read(url, response, deadline)
            except httpx.TimeoutException as exc:
                raise FetchError(f"{url}: timed out after {self.policy.timeout:g} s") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
        raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects")

    def _read(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: {int(declared):,} bytes; the limit is {limit:,}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url}: more than {limit:,} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: timed out after {self.policy.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def _checked_target(self, url: str) -> tuple[str, str, str]:
        """(URL with the checked address in place of the host, Host header, host name)."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(f"{url}: not a valid URL: {exc}") from exc
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.scheme not in ("http", "https") or not host:
            raise FetchError(f"{url}: only http and https URLs with a host can be fetched")
        if _listed(host, self.policy.denied_hosts):
            raise FetchError(f"{url}: host {host} is on the deny list")
        if self.policy.allowed_hosts and not _listed(host, self.policy.allowed_hosts):
            raise FetchError(f"{url}: host {host} is not on the allow list")
        address = self._resolve(url, host, port)
        literal = f"[{address}]" if address.version == 6 else str(address)
        path = parts.path or "/"
        target = f"{parts.scheme}://{literal}:{port}{path}" + (f"?{parts.query}" if parts.query
                                                                else "")
        default_port = port == (443 if parts.scheme == "https" else 80)
        host_header = parts.netloc.rpartition("@")[2] if not default_port else (
            f"[{host}]" if ":" in host else host)
        return target, host_header, host

    def _resolve(
        self, url: str, host: str, port: int
    ) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise FetchError(f"{url}: cannot resolve {host}: {exc}") from exc
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not addresses:
            raise FetchError(f"{url}: {host} has no address")
        if not self.policy.allow_private:
            for address in addresses:
                mapped = getattr(address, "ipv4_mapped", None) or address
                if not mapped.is_global or mapped.is_multicast:
                    raise FetchError(
                        f"{url}: {host} resolves to non-public address {address}; refused"
                    )
        return addresses[0]


class ImageLoader:
    """The bytes behind a listing's image reference: an http(s) URL (fetched under the
    policy), a ``data:`` URI, or, only when ``allow_files`` is set (the command line, not a
    service), a local file path."""

    def __init__(self, policy: FetchPolicy | None = None, *, allow_files: bool = False) -> None:
        self.fetcher = Fetcher(policy)
        self.allow_files = allow_files

    def close(self) -> None:
        self.fetcher.close()

    def load(self, reference: str) -> bytes:
        if reference.startswith("data:"):
            return decode_data_uri(reference)
        if reference.startswith(("http://", "https://")):
            return self.fetcher.fetch(reference)
        if "://" in reference:
            raise FetchError(f"{reference[:80]}: only http, https and data: images are read")
        if not self.allow_files:
            raise FetchError(f"{reference[:80]}: local files are not read here")
        path = Path(reference)
        try:
            if path.stat().st_size > self.fetcher.policy.max_bytes:
                raise ImageError(f"{path}: larger than {self.fetcher.policy.max_bytes:,} bytes")
            return path.read_bytes()
        except OSError as exc:
            raise ImageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
