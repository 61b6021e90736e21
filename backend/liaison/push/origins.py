"""Which push services a subscription may point to.

A subscription endpoint comes from the client, so it is attacker-controlled: the server would POST to
whatever it names. Only origins on the allow-list pass (exact match, or `https://*.suffix` for services
that shard by host name, like Windows); nothing is resolved or connected to in order to decide.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_LOOPBACK_HTTP = re.compile(r"^http://127\.0\.0\.1:\d{1,5}$")
MAX_ENDPOINT = 1024


class OriginRefused(ValueError):
    """The endpoint may not be used; the message says why (shown to the caller)."""


def endpoint_origin(endpoint: str) -> str:
    """`scheme://host[:port]` of an endpoint, checked for the tricks used to reach internal addresses."""
    if len(endpoint) > MAX_ENDPOINT:
        raise OriginRefused(f"the endpoint is longer than {MAX_ENDPOINT} characters")
    if not endpoint.isascii() or any(c.isspace() or ord(c) < 0x20 or c == "\\" for c in endpoint):
        raise OriginRefused("the endpoint holds characters a push service URL never has")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise OriginRefused("the endpoint is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OriginRefused("the endpoint must be an https URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise OriginRefused("the endpoint may not carry a user name or password")
    if parts.fragment:
        raise OriginRefused("the endpoint may not carry a fragment")
    host = parts.hostname.lower()
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


@lru_cache(maxsize=1024)
def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    for pattern in allowed:
        pattern = pattern.lower().rstrip("/")
        if origin == pattern:
            # Plain http only for a loopback test receiver named exactly in the list.
            return origin.startswith("https://") or bool(_LOOPBACK_HTTP.match(origin))
        if pattern.startswith("https://*.") and origin.startswith("https://"):
            suffix = pattern[len("https://*") :]  # ".notify.windows.com"
            host = origin[len("https://") :]
            if ":" in host or not host.endswith(suffix):
                continue
            labels = host[: -len(suffix)].split(".")
            if all(_LABEL.match(label) for label in labels):
                return True
    return False


def check_endpoint(endpoint: str, allowed: tuple[str, ...]) -> str:
    """The endpoint's origin when it may be used; OriginRefused otherwise."""
    origin = endpoint_origin(endpoint)
    if not origin_allowed(origin, allowed):
        raise OriginRefused(f"push service {origin} is not allowed (LIAISON_PUSH_ALLOWED_ORIGINS)")
    return origin
