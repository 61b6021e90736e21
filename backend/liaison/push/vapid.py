"""VAPID (RFC 8292): the server's P-256 key, made once and kept, and the JWT each push service checks.

A JWT is signed once per push-service origin and reused until shortly before it expires: signing per
message costs an ECDSA signature each and gains nothing (the audience is the origin, not the endpoint).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from liaison.settings import Settings

log = logging.getLogger("liaison.push.vapid")
KEY_FILE = "vapid_private.pem"
# Push services refuse an `exp` more than 24 h ahead; 12 h leaves room for clock skew.
TOKEN_LIFETIME = 12 * 3600
# Re-sign this long before expiry, so a message queued at a push service never carries a stale token.
RENEW_BEFORE = 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def generate_key(settings: Settings, *, overwrite: bool = False) -> tuple[ec.EllipticCurvePrivateKey, bool]:
    """Makes the key file when missing (or when `overwrite`): returns the key and whether it was made now."""
    path = key_path(settings)
    if path.exists() and not overwrite:
        return load_key(settings), False
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed: two processes starting together never read half a key.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    if overwrite:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # fails if another process made it meanwhile: keep theirs
        except FileExistsError:
            os.unlink(tmp)
            return load_key(settings), False
        os.unlink(tmp)
    log.info("VAPID key made at %s", path)
    return key, True


def load_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(key_path(settings).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{key_path(settings)} is not a P-256 private key")
    return key


def load_or_create_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    return generate_key(settings)[0]


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The uncompressed point (65 bytes, 0x04…), base64url: what PushManager.subscribe wants."""
    raw = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def sign_jwt(key: ec.EllipticCurvePrivateKey, claims: dict[str, object]) -> str:
    header = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    # JWS wants the raw r‖s (64 bytes), not DER.
    return f"{header}.{payload}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@dataclass
class VapidSigner:
    """Authorization headers per push-service origin, cached until near expiry."""

    key: ec.EllipticCurvePrivateKey
    subject: str
    lifetime: int = TOKEN_LIFETIME
    _cache: dict[str, tuple[str, float]] = field(default_factory=dict)
    signatures: int = 0

    def __post_init__(self) -> None:
        self.public_key = public_key_b64(self.key)

    def authorization(self, origin: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        cached = self._cache.get(origin)
        if cached is None or cached[1] - RENEW_BEFORE <= now:
            expires = int(now) + self.lifetime
            token = sign_jwt(self.key, {"aud": origin, "exp": expires, "sub": self.subject})
            self.signatures += 1
            cached = (f"vapid t={token}, k={self.public_key}", float(expires))
            self._cache[origin] = cached
        return cached[0]
