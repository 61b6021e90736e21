"""Imports every module that registers a sync source, a sync mutation or a push renderer.

Registration happens at import; both the API process and a standalone `liaison worker` import this module so
that each has all of them, whichever routes it serves. A new domain adds its `sync` module here.
"""

import liaison.alerts.sync
import liaison.checkin.sync
import liaison.notices.sync
import liaison.officers.sync
import liaison.push.texts
import liaison.shifts.sync
import liaison.venues.sync  # noqa: F401
