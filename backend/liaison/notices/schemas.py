"""Request and response bodies of notices and briefings (the same shapes under both paths)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Priority = Literal["info", "important", "urgent"]
Source = Literal["human", "machine"]
LangTag = Annotated[str, msgspec.Meta(min_length=2, max_length=16)]


class ContentIn(msgspec.Struct, forbid_unknown_fields=False):
    title: Annotated[str, msgspec.Meta(max_length=200)]
    body: Annotated[str, msgspec.Meta(max_length=20000)] = ""
    source: Source = "human"


class WindowIn(msgspec.Struct, rename={"from_": "from"}):
    from_: datetime
    to: datetime


class AudienceIn(msgspec.Struct, forbid_unknown_fields=False):
    all: bool = False
    countries: list[Annotated[str, msgspec.Meta(min_length=2, max_length=2)]] = []
    venues: list[uuid.UUID] = []
    officers: list[uuid.UUID] = []
    # For venues: officers with a shift there overlapping this window (default: the next 24 hours).
    window: WindowIn | None = None


class NoticeIn(msgspec.Struct, forbid_unknown_fields=False):
    content: dict[LangTag, ContentIn]
    # Optional for a briefing attached to a shift or a venue and date: then its people are the audience.
    audience: AudienceIn | None = None
    priority: Priority = "info"
    requires_ack: bool = False
    ack_deadline: datetime | None = None
    supersedes: uuid.UUID | None = None
    venue_id: uuid.UUID | None = None
    shift_id: uuid.UUID | None = None
    date: date | None = None


class AudiencePreviewIn(msgspec.Struct, forbid_unknown_fields=False):
    """What a composer has chosen so far: the same audience and attachment fields as NoticeIn."""

    audience: AudienceIn | None = None
    venue_id: uuid.UUID | None = None
    shift_id: uuid.UUID | None = None
    date: date | None = None


class AudiencePreviewOut(msgspec.Struct):
    """Who a notice sent now would reach: nothing is written, nobody is told."""

    total: int
    by_country: dict[str, int]
    # Account languages of the people reached: which language tabs matter, and who would get a fallback.
    by_language: dict[str, int]


class CancelIn(msgspec.Struct, forbid_unknown_fields=False):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class NoticeOut(msgspec.Struct):
    """One notice or briefing as its reader sees it: in the reader's language, with the reader's acknowledgement."""

    id: uuid.UUID
    kind: str
    priority: Priority
    requires_ack: bool
    title: str
    body: str
    lang: str
    source: Source
    languages: list[str]
    created_at: datetime
    status: Literal["active", "cancelled", "superseded"]
    acknowledged_at: datetime | None = None
    ack_deadline: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    supersedes: uuid.UUID | None = None
    superseded_by: uuid.UUID | None = None
    escalation_of: uuid.UUID | None = None
    venue_id: uuid.UUID | None = None
    shift_id: uuid.UUID | None = None
    date: date | None = None
    dir: Literal["ltr", "rtl"] = "ltr"
    # Staff views only: what was sent and how far it got.
    audience: dict[str, object] | None = None
    content: dict[str, dict[str, str]] | None = None
    audience_count: int | None = None
    acknowledged_count: int | None = None


class CountOut(msgspec.Struct):
    audience: int
    acknowledged: int
    pending: int
    name: str | None = None


class PendingOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    country: str | None
    venue_id: uuid.UUID | None
    locale: str


class AcknowledgementsOut(msgspec.Struct):
    notice_id: uuid.UUID
    audience: int
    acknowledged: int
    pending_total: int
    by_country: dict[str, CountOut]
    by_venue: dict[str, CountOut]
    pending: list[PendingOut]
    limit: int
    offset: int
    country: str | None = None


class EscalatedOut(msgspec.Struct):
    country: str
    lead_id: uuid.UUID
    lead_name: str
    pending: int
    notice_id: uuid.UUID


class EscalationOut(msgspec.Struct):
    notice_id: uuid.UUID
    notified: list[EscalatedOut]
    without_lead: list[str]


class TodayOut(msgspec.Struct):
    date: date
    items: list[NoticeOut]
