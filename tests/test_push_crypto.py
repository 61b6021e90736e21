"""The encryption, VAPID signing, payload size and origin rules the push worker relies on (no database)."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import http_ece
import pytest
import pywebpush
from cryptography.hazmat.primitives.asymmetric import ec

from liaison.push import ece
from liaison.push.ece import encrypt_for as encrypt
from liaison.push.messages import PushText
from liaison.push.models import PushJob
from liaison.push.origins import OriginRefused, check_endpoint
from liaison.push.payload import MAX_PAYLOAD, build
from liaison.push.sender import parse_retry_after
from liaison.push.vapid import VapidSigner
from liaison.settings import DEFAULT_PUSH_ORIGINS
from tests.push_helpers import Subscriber, b64, decrypt, unb64, verify_vapid

with open("/work/shared/testdata/rfc8291-example.json") as fh:
    RFC = json.load(fh)


def _private(raw_b64: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(unb64(raw_b64), "big"), ec.SECP256R1())


def test_encryption_reproduces_rfc8291_example_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """The very code path the worker sends with, given the RFC's ephemeral key and salt, gives the RFC's body."""
    as_key = _private(RFC["as_private"])
    monkeypatch.setattr(ece.ec, "generate_private_key", lambda *a, **k: as_key)
    monkeypatch.setattr(ece, "os", SimpleNamespace(urandom=lambda n: unb64(RFC["salt"])))
    body = encrypt(RFC["plaintext"].encode(), RFC["ua_public"], RFC["auth"])
    assert len(body) == 144
    assert body == unb64(RFC["body"])


def test_our_encryption_matches_pywebpush_and_http_ece_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same key and salt: pywebpush's own encoder gives the same bytes; http_ece decrypts what we send."""
    phone = Subscriber("a")
    as_key = ec.generate_private_key(ec.SECP256R1())
    salt = b"0123456789abcdef"
    payload = json.dumps({"title": "Niveau d'alerte : Urgence attentat", "body": "ü" * 500}).encode()
    ours = ece.encrypt(payload, unb64(phone.p256dh), phone.auth, salt=salt, sender_key=as_key)
    monkeypatch.setattr(
        pywebpush, "ec", SimpleNamespace(generate_private_key=lambda *a, **k: as_key, SECP256R1=ec.SECP256R1)
    )
    monkeypatch.setattr(http_ece, "os", SimpleNamespace(urandom=lambda n: salt))
    theirs = pywebpush.WebPusher({"endpoint": "-", "keys": {"p256dh": phone.p256dh, "auth": b64(phone.auth)}}).encode(
        payload, "aes128gcm"
    )["body"]
    assert ours == theirs
    assert http_ece.decrypt(ours, private_key=phone.private, auth_secret=phone.auth, version="aes128gcm") == payload


def test_independent_decrypter_reads_the_rfc_example() -> None:
    plain = decrypt(unb64(RFC["body"]), _private(RFC["ua_private"]), unb64(RFC["auth"]))
    assert plain.decode() == RFC["plaintext"]


def test_each_push_is_encrypted_afresh_and_decrypts_for_its_subscriber() -> None:
    phone = Subscriber("a")
    first = encrypt(b'{"title":"x"}', phone.p256dh, b64(phone.auth))
    second = encrypt(b'{"title":"x"}', phone.p256dh, b64(phone.auth))
    assert first != second  # new salt and ephemeral key each time
    assert decrypt(first, phone.private, phone.auth) == b'{"title":"x"}'
    with pytest.raises(Exception):  # noqa: B017 — any failure: another phone's key cannot read it
        decrypt(first, Subscriber("b").private, phone.auth)


def test_vapid_token_is_signed_once_per_origin_and_renewed_before_expiry() -> None:
    signer = VapidSigner(ec.generate_private_key(ec.SECP256R1()), "mailto:ops@liaison.example.org")
    now = time.time()
    first = signer.authorization("https://fcm.googleapis.com", now)
    assert signer.authorization("https://fcm.googleapis.com", now + 3600) == first
    other = signer.authorization("https://updates.push.services.mozilla.com", now)
    assert other != first and signer.signatures == 2
    claims = verify_vapid(first, "https://fcm.googleapis.com", signer.public_key)
    assert claims["exp"] - now <= 24 * 3600
    renewed = signer.authorization("https://fcm.googleapis.com", claims["exp"] - 1800)
    assert renewed != first and signer.signatures == 3


def _job(**extra: object) -> PushJob:
    from datetime import UTC, datetime

    return PushJob(
        id=7, kind="notice", ref_id="n-1", urgency="normal", topic=None, ttl=60, created_at=datetime.now(UTC), **extra
    )


def test_long_body_is_shortened_to_fit_what_push_services_accept() -> None:
    body = "Évacuation du secteur nord — أخلوا القطاع الشمالي 🚨 " * 400
    raw = build(_job(), PushText("Urgent", body, "/notices/n-1"))
    assert len(raw) <= MAX_PAYLOAD
    data = json.loads(raw)
    assert data["body"].endswith("…") and body.startswith(data["body"][:-1].rstrip())
    assert {"type", "title", "body", "url", "id", "sent_at", "tag", "version"} <= data.keys()
    phone = Subscriber("x")
    assert len(encrypt(raw, phone.p256dh, b64(phone.auth))) <= 4096


def test_short_body_is_left_whole() -> None:
    data = json.loads(build(_job(), PushText("Info", "Gate C opens at 18:00.", "/notices/n-1")))
    assert data["body"] == "Gate C opens at 18:00." and data["tag"] == "notice:n-1" and data["version"] == 7


ALLOWED = (*DEFAULT_PUSH_ORIGINS, "http://127.0.0.1:8765")


@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc:def", "https://fcm.googleapis.com"),
        ("https://updates.push.services.mozilla.com/wpush/v2/gAAA", "https://updates.push.services.mozilla.com"),
        ("https://fcm.googleapis.com:443/fcm/send/x", "https://fcm.googleapis.com"),
        ("https://db5p.notify.windows.com/w/?token=AwYAAA", "https://db5p.notify.windows.com"),
        ("http://127.0.0.1:8765/push/a", "http://127.0.0.1:8765"),
    ],
)
def test_endpoints_of_known_push_services_are_accepted(endpoint: str, origin: str) -> None:
    assert check_endpoint(endpoint, ALLOWED) == origin


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://fcm.googleapis.com.evil.example/x",  # suffix trick
        "https://evil.example/?https://fcm.googleapis.com",
        "https://fcm.googleapis.com@169.254.169.254/latest/meta-data",  # userinfo trick
        "https://user:pw@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",  # other port, other origin
        "https://127.0.0.1/x",
        "http://127.0.0.1:9999/push/a",  # loopback, but not the allowed port
        "http://localhost:8765/push/a",
        "https://notify.windows.com/x",  # the wildcard needs a label
        "https://a_b.notify.windows.com/x",
        "https://fcm.googleapis.com\\@10.0.0.1/x",
        "https://fcm.googleapis.com/x#frag",
        "ftp://fcm.googleapis.com/x",
        "https://fcm.googleapis.com:99999/x",
        "https://xn--fcm-googleapis.com/x",
    ],
)
def test_endpoints_elsewhere_are_refused(endpoint: str) -> None:
    with pytest.raises(OriginRefused):
        check_endpoint(endpoint, ALLOWED)


def test_retry_after_reads_seconds_and_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
