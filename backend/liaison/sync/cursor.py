"""The opaque sync cursor: where a device is in the stream of changes.

A complete cursor says "everything up to version `after` is on the device". While a pass is being paged it
also carries the pass's fixed upper bound `upto`, the entity being sent and the last (version, id) sent:
many rows share one version (the demo seed writes 21,850 assignments in one transaction), so a version
alone could not say where a page ended. `scope` binds the cursor to who the caller is (user, role,
country): a cursor of another scope restarts from a full snapshot.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import msgspec

from liaison.auth.principal import Principal
from liaison.errors import Invalid


class Cursor(msgspec.Struct, array_like=True, frozen=True):
    scope: str
    after: int
    upto: int | None = None  # set while paging a pass
    entity: str = ""
    key_version: int = 0
    key_id: str = ""

    @property
    def complete(self) -> bool:
        return self.upto is None

    @property
    def key(self) -> tuple[int, str] | None:
        return (self.key_version, self.key_id) if self.entity else None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Cursor)


@lru_cache(maxsize=100_000)
def scope_of(principal: Principal) -> str:
    """Who a cursor belongs to. The language is part of it: alert labels and notices are served in the
    caller's language, so after a language change the phone must take a fresh snapshot (`reset`)."""
    raw = f"{principal.user_id}|{principal.role}|{principal.country or ''}|{principal.locale}".encode()
    return hashlib.blake2b(raw, digest_size=6).hexdigest()


def encode(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(_encoder.encode(cursor)).rstrip(b"=").decode()


def decode(raw: str) -> Cursor:
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        cursor = _decoder.decode(data)
    except (ValueError, msgspec.DecodeError):
        raise Invalid(
            "This sync cursor is not one the server gave out: pull again without a cursor.",
            errors=[{"field": "cursor", "message": "not a cursor from this server"}],
        ) from None
    if cursor.after < 0 or (cursor.upto is not None and cursor.upto < cursor.after):
        raise Invalid(
            "This sync cursor is not one the server gave out: pull again without a cursor.",
            errors=[{"field": "cursor", "message": "not a cursor from this server"}],
        )
    return cursor


def etag_for(cursor_text: str) -> str:
    """The ETag of a response = the state the device is in once it applied it, i.e. its new cursor."""
    return f'"{cursor_text}"'
