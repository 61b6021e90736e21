"""What the alert level looks like through the API (and in sync, where `data` is the same object)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

Level = Literal["vigilance", "heightened", "emergency"]
Instructions = dict[
    Annotated[str, msgspec.Meta(min_length=2, max_length=16)], Annotated[str, msgspec.Meta(max_length=4000)]
]


class AlertLevelIn(msgspec.Struct, forbid_unknown_fields=False):
    level: Level
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    instructions: Instructions = {}
    # An exercise: shown and pushed as such, and the real level stays as it is.
    drill: bool = False


class DrillOut(msgspec.Struct):
    id: uuid.UUID
    level: Level
    label: str
    instructions: str
    lang: str
    started_at: datetime
    exercise: bool = True


class AlertLevelOut(msgspec.Struct):
    """What every device shows; the reason for a change is internal and stays in the coordinators' history."""

    level: Level
    label: str
    instructions: str
    changed_at: datetime | None
    lang: str
    # The running exercise, if any: never mixed into the fields above.
    drill: DrillOut | None = None


class Person(msgspec.Struct):
    id: uuid.UUID
    name: str


class AlertChangeOut(msgspec.Struct):
    id: uuid.UUID
    level: Level
    label: str
    drill: bool
    reason: str
    instructions: dict[str, str]
    changed_at: datetime
    changed_by: Person | None
    ended_at: datetime | None = None
    ended_by: Person | None = None


class ReachOut(msgspec.Struct):
    """Who an alert change reaches: every officer and lead by sync, the subscribed devices at once by push."""

    people: int
    phones: int
    push_subscriptions: int
