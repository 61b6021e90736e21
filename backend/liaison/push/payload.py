"""What a phone decrypts: the CONTRACT's JSON, kept under the size every push service accepts."""

from __future__ import annotations

from datetime import datetime

import msgspec

from liaison.push.messages import PushText
from liaison.push.models import PushJob

# Push services take 4,096 encrypted bytes; aes128gcm adds an 86-byte header, a 1-byte delimiter and a
# 16-byte tag, which leaves 3,993 bytes of plaintext (RFC 8291 §4).
MAX_PAYLOAD = 3993
ELLIPSIS = "…"


class PushPayload(msgspec.Struct):
    type: str
    title: str
    body: str
    url: str
    id: str
    sent_at: datetime
    # Same tag: the service worker replaces the older notification instead of stacking it.
    tag: str
    # Which change this is, so a late-arriving older push never overwrites a newer one.
    version: int
    urgency: str


_encoder = msgspec.json.Encoder()


def tag_for(job: PushJob) -> str:
    if job.kind == "alert_level":
        return "alert-level"
    return f"{job.kind}:{job.ref_id}"


def build(job: PushJob, text: PushText) -> bytes:
    """The JSON bytes for one job in one language; the body is shortened (never cut inside a character)."""
    payload = PushPayload(
        type=job.kind,
        title=text.title[:200],
        body=text.body,
        url=text.url,
        id=job.ref_id,
        sent_at=job.created_at,
        tag=job.topic or tag_for(job),
        version=job.id,
        urgency=job.urgency,
    )
    raw = _encoder.encode(payload)
    if len(raw) <= MAX_PAYLOAD:
        return raw
    body = text.body
    low, high = 0, len(body)
    best = _encoder.encode(msgspec.structs.replace(payload, body=ELLIPSIS))
    # Binary search on characters: JSON escaping makes the byte length of a prefix hard to predict.
    while low <= high:
        mid = (low + high) // 2
        candidate = _encoder.encode(msgspec.structs.replace(payload, body=body[:mid].rstrip() + ELLIPSIS))
        if len(candidate) <= MAX_PAYLOAD:
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if len(best) > MAX_PAYLOAD:
        raise ValueError("push payload too large even with an empty body")
    return best
