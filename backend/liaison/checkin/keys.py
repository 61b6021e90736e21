"""The Ed25519 keys that sign accreditation tokens, kept in `data_dir` and rotated from the command line.

The newest key signs. A retired key stays published in the JWKS until every token it can have signed has
expired (retired_at + MAX_TOKEN_LIFETIME, since no token outlives that cap), so desks that cached the JWKS
keep accepting older QR codes after a rotation. Every server process reads the same file and reloads it
when it changes, so `liaison keys rotate` takes effect without a restart.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from liaison.database import utcnow

# No accreditation token is valid longer than this, whatever the officer's stay: it bounds how long a
# retired key must stay published.
MAX_TOKEN_LIFETIME = timedelta(days=60)
KEYRING_FILE = "accreditation-keys.json"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint: a key id any JOSE library can recompute from the published key."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw_public(public))}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    created_at: datetime
    retired_at: datetime | None

    def published_until(self) -> datetime | None:
        """None while the key signs; afterwards the moment its last possible token expires."""
        return None if self.retired_at is None else self.retired_at + MAX_TOKEN_LIFETIME

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(_raw_public(self.public)),
            "kid": self.kid,
            "use": "sig",
            "alg": "EdDSA",
        }


def _new_key(now: datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    return SigningKey(thumbprint(public), private, public, now, None)


def _to_json(key: SigningKey) -> dict[str, str | None]:
    seed = key.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {
        "kid": key.kid,
        "d": b64url(seed),
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


def _from_json(item: dict[str, str | None]) -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(b64url_decode(str(item["d"])))
    public = private.public_key()
    retired = item.get("retired_at")
    return SigningKey(
        thumbprint(public),
        private,
        public,
        datetime.fromisoformat(str(item["created_at"])),
        datetime.fromisoformat(retired) if retired else None,
    )


class KeyRing:
    """The signing keys in one JSON file (mode 0600), newest last; created at first use."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / KEYRING_FILE
        self._lock_path = data_dir / (KEYRING_FILE + ".lock")
        self._keys: list[SigningKey] = []
        self._stamp: tuple[int, int] | None = None

    # -- reading -------------------------------------------------------------------------------------------
    def _current(self) -> list[SigningKey]:
        """The keys, reloaded when another process (the CLI, another worker) changed the file."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            with self._locked():
                if not self.path.exists():
                    self._write([_new_key(utcnow())])
            stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            data = json.loads(self.path.read_text())
            self._keys = [_from_json(item) for item in data["keys"]]
            self._stamp = stamp
        return self._keys

    def signing_key(self) -> SigningKey:
        return self._current()[-1]

    def published(self, now: datetime | None = None) -> list[SigningKey]:
        """Keys desks must know: the signing key and retired keys whose tokens may still be valid."""
        now = now or utcnow()
        return [k for k in self._current() if (until := k.published_until()) is None or until > now]

    def find(self, kid: str, now: datetime | None = None) -> SigningKey | None:
        return next((k for k in self.published(now) if k.kid == kid), None)

    def jwks(self, now: datetime | None = None) -> dict[str, list[dict[str, str]]]:
        return {"keys": [k.jwk() for k in reversed(self.published(now))]}

    # -- rotation ------------------------------------------------------------------------------------------
    def rotate(self, now: datetime | None = None) -> SigningKey:
        """A new signing key; the previous one retires, and keys past their publication window are dropped."""
        now = now or utcnow()
        with self._locked():
            keys = self._read_unlocked()
            keys = [
                k if k.retired_at is not None else SigningKey(k.kid, k.private, k.public, k.created_at, now)
                for k in keys
            ]
            keys = [k for k in keys if (until := k.published_until()) is None or until > now]
            fresh = _new_key(now)
            self._write([*keys, fresh])
        self._stamp = None
        return fresh

    def _read_unlocked(self) -> list[SigningKey]:
        if not self.path.exists():
            return []
        return [_from_json(item) for item in json.loads(self.path.read_text())["keys"]]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Two workers starting together must not each create a "first" key.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, keys: list[SigningKey]) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"keys": [_to_json(k) for k in keys]}, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)  # readers see the old file or the new one, never half of one


_RINGS: dict[Path, KeyRing] = {}


def keyring(data_dir: Path) -> KeyRing:
    """One KeyRing per data directory and process (it caches the parsed keys)."""
    path = data_dir.resolve()
    ring = _RINGS.get(path)
    if ring is None:
        ring = _RINGS[path] = KeyRing(path)
    return ring
