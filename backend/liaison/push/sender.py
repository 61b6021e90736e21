"""Sending encrypted pushes over one shared aiohttp session: HTTP/1.1 keep-alive, bounded per push service.

aiohttp rather than httpx (measured here at ~5,000 against ~390 pushes/s), HTTP/1.1 rather than HTTP/2
(which retried into duplicates in tests), and no redirects: an endpoint may only reach its allowed origin.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from types import TracebackType

import aiohttp
from yarl import URL

from liaison.push.vapid import VapidSigner

REQUEST_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
PER_ORIGIN = 64
# RFC 8030 §5.4: a Topic is at most 32 characters of the URL-safe base64 alphabet.
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
log = logging.getLogger("liaison.push.sender")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None  # None: no answer (network error, timeout)
    retry_after: float | None = None
    error: str | None = None
    sent: bool = True  # False: it could not even be encrypted (the error says why)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class PushSender:
    """Owns the process's one ClientSession; `send` never raises for network trouble, it reports an Outcome.

    `signer` makes the headers (`headers`); a sending helper process has none, its worker sends it the headers.
    """

    def __init__(
        self,
        signer: VapidSigner | None,
        *,
        per_origin: int = PER_ORIGIN,
        timeout: float = REQUEST_TIMEOUT,
        lanes_bound: bool = False,
    ) -> None:
        """`lanes_bound`: the caller never has more than `per_origin` sends in flight (a helper's lanes), so
        no per-origin queue is needed here."""
        self.signer = signer
        self.lanes_bound = lanes_bound
        self.per_origin = per_origin
        self.timeout = timeout
        self._limits: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(self.per_origin))
        self._session: aiohttp.ClientSession | None = None
        self._header_cache: dict[tuple[str, int, str, str | None], dict[str, str]] = {}

    async def __aenter__(self) -> PushSender:
        connector = aiohttp.TCPConnector(
            limit=0,  # the per-origin semaphores bound concurrency
            limit_per_host=self.per_origin,
            ttl_dns_cache=300,
            keepalive_timeout=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # Bounds on connecting and on each wait for the answer, no overall one: the latter is a timer armed
            # and cancelled for every push (4% of the sending CPU here), and the endpoints are the allowed
            # push services only, which answer in one piece.
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT, sock_read=self.timeout),
            # No Accept or Accept-Encoding: nothing here reads a push service's answer beyond its status.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            headers={"User-Agent": "Liaison push"},
            # A push service has no business setting cookies, and none may travel to another endpoint.
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # only the first 300 bytes of an error answer are ever read
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def headers(self, origin: str, ttl: int, urgency: str, topic: str | None) -> dict[str, str]:
        """The request headers, built once per (origin, TTL, urgency, topic, VAPID token) and shared."""
        assert self.signer is not None, "a sender without a VAPID signer is given its headers"
        authorization = self.signer.authorization(origin)
        key = (authorization, ttl, urgency, topic)
        headers = self._header_cache.get(key)
        if headers is None:
            headers = {
                "TTL": str(max(1, ttl)),
                "Urgency": urgency,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "Authorization": authorization,
            }
            if topic and _TOPIC.match(topic):
                headers["Topic"] = topic
            elif topic:
                log.warning("push topic %r is not a valid RFC 8030 Topic: sent without one", topic)
            if len(self._header_cache) > 256:  # old tokens and retired jobs' settings
                self._header_cache.clear()
            self._header_cache[key] = headers
        return headers

    async def send(self, endpoint: str, origin: str, body: bytes, headers: dict[str, str]) -> Outcome:
        """POSTs one encrypted message with `headers` (from `headers()`); waits its turn for the origin."""
        if self.lanes_bound:
            return await self._post(endpoint, body, headers)
        async with self._limits[origin]:
            return await self._post(endpoint, body, headers)

    async def _post(self, endpoint: str, body: bytes, headers: dict[str, str]) -> Outcome:
        assert self._session is not None, "use PushSender as an async context manager"
        try:
            # encoded=True: the endpoint is the URL the browser's push service issued (checked, with its
            # origin, when subscribed); parsing it again for quoting is a tenth of aiohttp's work a push.
            url = URL(endpoint, encoded=True)
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as resp:
                status = resp.status
                if status < 300 and resp.content.at_eof():
                    return Outcome(status)  # the usual 201, with no body: the connection is free already
                # Read the (small) answer so the connection goes back to the pool for keep-alive.
                detail = (await resp.content.read(300)).decode("utf-8", "replace").strip()
                if status < 300:
                    return Outcome(status)
                return Outcome(
                    status, parse_retry_after(resp.headers.get("Retry-After")), (detail or resp.reason or "")[:200]
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Outcome(None, None, f"{type(exc).__name__}: {exc}"[:200])
