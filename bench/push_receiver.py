"""The benchmark's stand-in push service: HTTP/1.1 keep-alive on a bare asyncio protocol (uvloop), own process.

A real push service runs on other machines; here it shares the worker's two cores, so every microsecond it
spends is taken from the sender being measured. A web framework (aiohttp's server was measured here at
70–110 µs of CPU a push) would weigh on the result as much as half the sender's own work; this one reads
a request with a few byte searches (about 15 µs a push). It still answers every push, counts each, and
checks a sample in full: every SAMPLE_EVERY-th body is decrypted (RFC 8291, independent of the sending
library) and its VAPID JWT verified (signature, `aud` with port, `exp` ≤ 24 h, `mailto:` subject).

    POST /push/{key}/{id}  → 201 (the body must match Content-Length; Content-Encoding must be aes128gcm)
    GET  /stats            → {"count", "sampled", "decrypted", "vapid_ok", "bad", "types", "cpu"}
    POST /reset            → zeroes the counters and the CPU clock
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import uvloop
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SAMPLE_EVERY = 1000
_CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
_MAX_HEAD = 16_384


def unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def decrypt(body: bytes, private: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """RFC 8291 / RFC 8188 aes128gcm, one record, written from the RFCs (no push library)."""

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, hashlib.sha256).digest()

    salt, id_len = body[:16], body[20]
    keyid, ciphertext = body[21 : 21 + id_len], body[21 + id_len :]
    shared = private.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid))
    ua_public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    prk = mac(salt, mac(mac(auth, shared), b"WebPush: info\x00" + ua_public + keyid + b"\x01"))
    cek = mac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = mac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    plain = AESGCM(cek).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
    assert plain.endswith(b"\x02")
    return plain[:-1]


def vapid_ok(header: str, audience: str) -> bool:
    """RFC 8292: `vapid t=<JWT>, k=<public key>`; ES256 over the JWT, aud = the origin, exp within 24 h."""
    try:
        params = dict(p.strip().split("=", 1) for p in header.split(" ", 1)[1].split(","))
        head, claims_b64, sig = params["t"].split(".")
        signature = unb64(sig)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(params["k"]))
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        key.verify(der, f"{head}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(unb64(claims_b64))
        return (
            claims["aud"] == audience
            and time.time() < claims["exp"] <= time.time() + 86400
            and claims["sub"].startswith("mailto:")
        )
    except Exception:
        return False


class Counter:
    def __init__(self, keys: list[tuple[int, bytes]], audience: str) -> None:
        self.privates = [(ec.derive_private_key(n, ec.SECP256R1()), auth) for n, auth in keys]
        self.audience = audience
        self.reset()

    def reset(self) -> None:
        self.count = self.sampled = self.decrypted = self.vapid_ok = self.bad = 0
        self.types: dict[str, int] = {}
        self.cpu_at_reset = time.process_time()

    def stats(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "sampled": self.sampled,
            "decrypted": self.decrypted,
            "vapid_ok": self.vapid_ok,
            "bad": self.bad,
            "types": self.types,
            "cpu": time.process_time() - self.cpu_at_reset,
        }

    def check(self, path: bytes, head: bytes, body: bytes) -> None:
        """The full check of one sampled push: decryption with the subscriber's key, and its VAPID header."""
        self.sampled += 1
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.decode("latin-1").partition(":") for line in head.split(b"\r\n")[1:])
        )
        try:
            private, auth = self.privates[int(path.split(b"/")[2])]
            assert headers.get("content-encoding") == "aes128gcm"
            payload = json.loads(decrypt(body, private, auth))
            self.decrypted += 1
            self.types[payload["type"]] = self.types.get(payload["type"], 0) + 1
        except Exception:
            self.bad += 1
        self.vapid_ok += vapid_ok(headers.get("authorization", ""), self.audience)


class PushService(asyncio.Protocol):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        out: list[bytes] = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _MAX_HEAD:
                    return self._fail(b"431 Request Header Fields Too Large")
                break
            head = buffer[:end]
            length = 0
            at = head.lower().find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)  # -1: the last header line
                length = int(head[at + 17 : stop if stop > 0 else len(head)])
            if len(buffer) < end + 4 + length:
                break
            body = buffer[end + 4 : end + 4 + length]
            buffer = buffer[end + 4 + length :]
            out.append(self._answer(head, body))
        self.buffer = buffer
        if out and self.transport is not None:
            self.transport.write(b"".join(out))

    def _answer(self, head: bytes, body: bytes) -> bytes:
        method, path = head.split(b" ", 2)[:2]
        counter = self.counter
        if method == b"POST" and path.startswith(b"/push/"):
            counter.count += 1
            if counter.count % SAMPLE_EVERY == 1:
                counter.check(path, head, body)
            return _CREATED
        if path == b"/reset" and method == b"POST":
            counter.reset()
        if path in (b"/stats", b"/reset"):
            data = json.dumps(counter.stats()).encode()
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
                len(data),
                data,
            )
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    def _fail(self, status: bytes) -> None:
        if self.transport is not None:
            self.transport.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.transport.close()


def receiver_main(port: int, keys: list[tuple[int, bytes]], ready: Any) -> None:
    """Serves until terminated; `keys`: the subscribers' private values and auth secrets, by key index."""

    async def serve() -> None:
        counter = Counter(keys, f"http://127.0.0.1:{port}")
        server = await asyncio.get_running_loop().create_server(
            lambda: PushService(counter), "127.0.0.1", port, backlog=1024
        )
        ready.set()
        async with server:
            await server.serve_forever()

    uvloop.run(serve())
