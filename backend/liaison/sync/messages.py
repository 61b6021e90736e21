"""What an officer reads when the server turns down an offline action: one catalog, `locales/*/sync.po`.

Kept in this package (not beside each handler) so that `make i18n` extracts them into the sync catalog.
"""

from __future__ import annotations

from liaison.i18n.catalogs import N_, gettext

UNKNOWN_MUTATION = N_("Unknown action {name}; this server knows: {known}.")
NAIVE_TIME = N_("The time of this action has no UTC offset.")
ID_TAKEN = N_("This action id was already used by another account.")
WHICH_ASSIGNMENT = N_("Say which assignment this is for.")
NOT_YOURS = N_("This assignment is not one of yours.")
UNASSIGNED = N_("You are no longer assigned to this shift.")
FUTURE = N_("The time of this action is in the future: check the phone's clock.")
CHECKIN_WINDOW = N_("Check-in is open from 3 hours before the shift until its end.")
NOT_CHECKED_IN = N_("Check in before checking out.")
BEFORE_CHECKIN = N_("Check-out cannot be earlier than check-in.")
UNKNOWN_LANGUAGE = N_("Unknown language {locale}.")
NO_ACCOUNT = N_("Your account no longer exists.")


def say(lang: str, message: str, **params: object) -> str:
    return gettext(lang, message, domain="sync", **params)
