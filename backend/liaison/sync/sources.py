"""Every domain's pull sources and mutations: importing this module registers them all."""

import liaison.officers.sync
import liaison.shifts.sync
import liaison.venues.sync  # noqa: F401
