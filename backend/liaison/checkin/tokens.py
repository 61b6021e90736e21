"""Accreditation tokens: compact JWS (RFC 7515), alg EdDSA over Ed25519 (RFC 8037), claims per RFC 7519.

Signed and checked with `cryptography` directly: a desk scans one per arrival, and the whole check is a
split, two base64 decodes and one Ed25519 verification. Any JOSE library verifies them with the JWKS.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature

from liaison.checkin.keys import MAX_TOKEN_LIFETIME, KeyRing, b64url, b64url_decode

PARIS = ZoneInfo("Europe/Paris")
# Officers sometimes come a little before their planned day; the desk must still accept them.
EARLY_ARRIVAL_GRACE = timedelta(days=3)
LATE_DEPARTURE_GRACE = timedelta(days=1)
# Clocks of tablets and phones drift; a minute either way is not fraud.
CLOCK_LEEWAY = timedelta(seconds=60)
MAX_TOKEN_CHARS = 2048


class TokenRefused(Exception):
    """A token a desk must not accept; `reason` is machine-readable, the message is for logs."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class AccreditationClaims:
    accreditation_id: str
    officer_id: uuid.UUID
    name: str
    country: str | None
    role: str
    generation: int
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    kid: str


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def validity(now: datetime, arrival: date | None, departure: date | None) -> tuple[datetime, datetime]:
    """The stay (with a little grace either side), never longer than MAX_TOKEN_LIFETIME from now."""
    not_before = _paris_midnight(arrival) - EARLY_ARRIVAL_GRACE if arrival else now
    end_of_stay = _paris_midnight(departure + timedelta(days=1)) + LATE_DEPARTURE_GRACE if departure else None
    cap = now + MAX_TOKEN_LIFETIME
    expires_at = min(end_of_stay, cap) if end_of_stay else cap
    return not_before, expires_at


def _segment(obj: dict[str, object]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())


def sign(
    ring: KeyRing,
    *,
    issuer: str,
    accreditation_id: str,
    officer_id: uuid.UUID,
    name: str,
    country: str | None,
    role: str,
    rank: str | None,
    generation: int,
    now: datetime,
    not_before: datetime,
    expires_at: datetime,
) -> tuple[str, str]:
    """The compact JWS and the kid that signed it."""
    key = ring.signing_key()
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    claims: dict[str, object] = {
        "iss": issuer,
        "sub": str(officer_id),
        "accreditation_id": accreditation_id,
        "name": name,
        "country": country,
        "role": role,
        "gen": generation,
        "iat": math.floor(now.timestamp()),
        "nbf": math.floor(not_before.timestamp()),
        "exp": math.floor(expires_at.timestamp()),
    }
    if rank:
        claims["rank"] = rank
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = key.private.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}", key.kid


def _json_segment(segment: str) -> dict[str, object]:
    try:
        value = json.loads(b64url_decode(segment))
    except (ValueError, UnicodeDecodeError):
        raise TokenRefused("malformed", "a token segment is not base64url JSON") from None
    if not isinstance(value, dict):
        raise TokenRefused("malformed", "a token segment is not a JSON object")
    return value


def _epoch(claims: dict[str, object], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TokenRefused("malformed", f"claim {name} is missing or not a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise TokenRefused("malformed", f"claim {name} is out of range") from None


def verify(ring: KeyRing, token: str, *, issuer: str, at: datetime, now: datetime) -> AccreditationClaims:
    """Checks signature, key, issuer and validity at `at` (the scan time); raises TokenRefused."""
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise TokenRefused("malformed", "not a compact JWS")
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = _json_segment(header_b64)
    if header.get("alg") != "EdDSA" or "crit" in header:
        raise TokenRefused("malformed", f"unsupported algorithm {header.get('alg')!r}")
    kid = header.get("kid")
    key = ring.find(kid, now) if isinstance(kid, str) else None
    if key is None:
        raise TokenRefused("unknown_key", f"no published key {kid!r}")
    try:
        signature = b64url_decode(signature_b64)
        key.public.verify(signature, f"{header_b64}.{claims_b64}".encode("ascii"))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        raise TokenRefused("bad_signature", "the signature does not verify") from None
    claims = _json_segment(claims_b64)
    if claims.get("iss") != issuer:
        raise TokenRefused("wrong_issuer", f"issuer {claims.get('iss')!r}")
    issued_at, not_before, expires_at = _epoch(claims, "iat"), _epoch(claims, "nbf"), _epoch(claims, "exp")
    if at >= expires_at + CLOCK_LEEWAY:
        raise TokenRefused("expired", f"expired at {expires_at.isoformat()}")
    if at < not_before - CLOCK_LEEWAY:
        raise TokenRefused("not_yet_valid", f"valid from {not_before.isoformat()}")
    try:
        officer_id = uuid.UUID(str(claims.get("sub")))
    except ValueError:
        raise TokenRefused("malformed", "claim sub is not an officer id") from None
    accreditation_id, generation = claims.get("accreditation_id"), claims.get("gen", 0)
    if not isinstance(accreditation_id, str) or not isinstance(generation, int):
        raise TokenRefused("malformed", "claims accreditation_id / gen missing")
    return AccreditationClaims(
        accreditation_id=accreditation_id,
        officer_id=officer_id,
        name=str(claims.get("name", "")),
        country=claims.get("country") if isinstance(claims.get("country"), str) else None,  # type: ignore[arg-type]
        role=str(claims.get("role", "officer")),
        generation=generation,
        issued_at=issued_at,
        not_before=not_before,
        expires_at=expires_at,
        kid=key.kid,
    )
