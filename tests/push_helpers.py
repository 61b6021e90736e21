"""A local fake push service and a browser-side decrypter written from RFC 8291, independent of pywebpush."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def decrypt(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """What a browser does with an aes128gcm push (RFC 8291 §3.4 and RFC 8188), single record."""
    salt, rs, id_len = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    keyid, ciphertext = body[21 : 21 + id_len], body[21 + id_len :]
    assert rs >= 18 and len(ciphertext) <= rs, "one record expected"
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid)
    shared = ua_private.exchange(ec.ECDH(), as_public)
    ua_public = ua_private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    prk_key = _hmac(auth, shared)
    ikm = _hmac(prk_key, b"WebPush: info\x00" + ua_public + keyid + b"\x01")
    prk = _hmac(salt, ikm)
    cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    plain = AESGCM(cek).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
    assert plain.endswith(b"\x02"), "last-record delimiter missing"
    return plain[:-1]


@dataclass
class Subscriber:
    """A browser's push subscription: its own key pair and auth secret."""

    name: str
    private: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: __import__("os").urandom(16))

    @property
    def p256dh(self) -> str:
        return b64(
            self.private.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, base_url: str) -> dict[str, Any]:
        return {"endpoint": f"{base_url}/push/{self.name}", "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)}}


def verify_vapid(authorization: str, audience: str, public_key: str | None = None) -> dict[str, Any]:
    """Checks a `vapid t=…, k=…` header as a push service does (RFC 8292); returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    if public_key is not None:
        assert key == public_key, "VAPID key differs from the published one"
    header_b64, claims_b64, sig_b64 = token.split(".")
    assert json.loads(unb64(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = unb64(sig_b64)
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        verifier.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("VAPID signature does not verify") from None
    claims = json.loads(unb64(claims_b64))
    assert claims["aud"] == audience, claims
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
    assert claims["sub"].startswith("mailto:") and "@" in claims["sub"], claims
    return claims


@dataclass
class Received:
    name: str
    headers: dict[str, str]
    body: bytes


class FakePushService:
    """An aiohttp push service on 127.0.0.1: records what it accepts, answers as scripted per subscriber."""

    def __init__(self) -> None:
        self.accepted: list[Received] = []
        self.attempts: Counter[str] = Counter()
        # name -> answers to give first, in order: (status, headers); afterwards 201.
        self.script: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.hold_after: int | None = None  # once this many were accepted, hold further requests
        self.release = asyncio.Event()
        self.held = asyncio.Event()
        self.arrived = asyncio.Event()  # set at each accepted push
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def _push(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await request.read()
        if self.hold_after is not None and len(self.accepted) >= self.hold_after:
            self.held.set()
            await self.release.wait()
            if request.transport is None or request.transport.is_closing():
                # The sender gave up (its worker was killed): a real service would not deliver this either.
                return web.Response(status=499)
        self.attempts[name] += 1
        answers = self.script.get(name)
        if answers:
            status, headers = answers.pop(0)
            return web.Response(status=status, headers=headers, text="scripted")
        self.accepted.append(Received(name, dict(request.headers), body))
        self.arrived.set()
        return web.Response(status=201)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/push/{name}", self._push)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def for_(self, name: str) -> list[Received]:
        return [r for r in self.accepted if r.name == name]
