"""RFC 8291 message encryption (`aes128gcm`, RFC 8188, one record), written for fan-out speed.

Byte for byte what pywebpush's encoder (http_ece) produces: the RFC 8291 §5 example proves it in the
tests, pywebpush's encoder given the same key and salt gives the same bytes there, and http_ece decrypts
ours. Ours costs about 140 µs a message here against pywebpush's 200 µs: the HKDF steps are single
HMAC-SHA256 calls (every output is at most one hash long) instead of three HKDF objects, and nothing is
decoded twice. With pywebpush's encoder even a fan-out with no database at all (two processes encrypting
and sending over aiohttp) took 15.1 s for 80,000 messages on this 2-core machine, ours 12.1 s (see
docs/ARCHITECTURE.md). What the RFC asks for stays: a fresh ephemeral ECDH key and a fresh random salt for
every message.
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

RECORD_SIZE = 4096
_CURVE = ec.SECP256R1()
_ECDH = ec.ECDH()
_KEY_INFO = b"Content-Encoding: aes128gcm\x00\x01"
_NONCE_INFO = b"Content-Encoding: nonce\x00\x01"
_HEADER_TAIL = RECORD_SIZE.to_bytes(4, "big") + bytes([65])  # rs, idlen (an uncompressed P-256 point)

Item = tuple[bytes, str, str]  # payload, p256dh, auth (a subscription's base64url keys)


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha256")


def encrypt(
    payload: bytes,
    ua_public: bytes,
    auth_secret: bytes,
    *,
    salt: bytes | None = None,
    sender_key: ec.EllipticCurvePrivateKey | None = None,
) -> bytes:
    """The push message body for one subscriber (`salt` and `sender_key` are given only by tests)."""
    if len(payload) > RECORD_SIZE - 17:
        raise ValueError("a push payload must fit one 4096-byte record")
    receiver = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, ua_public)
    key = sender_key or ec.generate_private_key(_CURVE)
    as_public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    salt = salt or os.urandom(16)
    # RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" ‖ ua_public ‖ as_public, 32).
    # Each HKDF here yields at most 32 bytes, so expand is a single HMAC over info ‖ 0x01.
    prk_key = _hmac(auth_secret, key.exchange(_ECDH, receiver))
    ikm = _hmac(prk_key, b"WebPush: info\x00" + ua_public + as_public + b"\x01")
    prk = _hmac(salt, ikm)
    cek = _hmac(prk, _KEY_INFO)[:16]
    nonce = _hmac(prk, _NONCE_INFO)[:12]
    # One record, last-record delimiter 0x02, no padding (RFC 8188 §2).
    return salt + _HEADER_TAIL + as_public + AESGCM(cek).encrypt(nonce, payload + b"\x02", None)


def encrypt_for(payload: bytes, p256dh: str, auth: str) -> bytes:
    """As `encrypt`, from a subscription's base64url keys (as the browser's PushSubscription gives them)."""
    return encrypt(payload, b64url_decode(p256dh), b64url_decode(auth))


def encrypt_many(items: Sequence[Item]) -> list[bytes | str]:
    """Each message's body, or (a str) why it could not be encrypted: one bad subscription spoils nothing else.

    Callers encrypt a chunk in one go rather than one message between two sends: interleaved with aiohttp's
    work, encryption ran a third slower here (each evicts the other's code and tables from the core's caches).
    """
    out: list[bytes | str] = []
    for payload, p256dh, auth in items:
        try:
            out.append(encrypt_for(payload, p256dh, auth))
        except Exception as exc:
            out.append(f"cannot encrypt: {type(exc).__name__}: {exc}"[:200])
    return out
