"""Imports every domain's models so the metadata (Alembic, tests) sees all tables."""

from liaison.alerts.models import AlertChange
from liaison.audit.models import AuditEntry
from liaison.auth.models import Device, EnrollmentCode
from liaison.calendar.models import CalendarFeed
from liaison.checkin.models import AccreditationRevocation, Checkin
from liaison.notices.models import Notice, NoticeRecipient
from liaison.officers.models import Country, User
from liaison.push.models import PushDelivery, PushJob, PushSubscription, ShiftReminder
from liaison.shifts.models import Assignment, Shift
from liaison.sync.models import SyncMutation
from liaison.sync.versioning import SyncClock, Tombstone
from liaison.venues.models import Venue

__all__ = [
    "AccreditationRevocation",
    "AlertChange",
    "Assignment",
    "AuditEntry",
    "CalendarFeed",
    "Checkin",
    "Country",
    "Device",
    "EnrollmentCode",
    "Notice",
    "NoticeRecipient",
    "PushDelivery",
    "PushJob",
    "PushSubscription",
    "Shift",
    "ShiftReminder",
    "SyncClock",
    "SyncMutation",
    "Tombstone",
    "User",
    "Venue",
]
