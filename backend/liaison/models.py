"""Imports every domain's models so the metadata (Alembic, tests) sees all tables."""

from liaison.auth.models import Device, EnrollmentCode
from liaison.officers.models import Country, User
from liaison.push.models import PushJob
from liaison.shifts.models import Assignment, Shift
from liaison.sync.models import SyncMutation
from liaison.sync.versioning import SyncClock, Tombstone
from liaison.venues.models import Venue

__all__ = [
    "Assignment",
    "Country",
    "Device",
    "EnrollmentCode",
    "PushJob",
    "Shift",
    "SyncClock",
    "SyncMutation",
    "Tombstone",
    "User",
    "Venue",
]
