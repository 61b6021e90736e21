"""What the desk reads: results and refusals in the desk agent's language (catalog locales/*/checkin.po)."""

from __future__ import annotations

from datetime import datetime

from liaison.checkin.tokens import PARIS
from liaison.i18n.catalogs import N_, gettext

DOMAIN = "checkin"

REFUSALS: dict[str, str] = {
    "malformed": N_("This is not a Liaison accreditation code."),
    "bad_signature": N_("The accreditation's signature is not valid: the code may be forged."),
    "unknown_key": N_("The accreditation was signed with a key this desk does not know."),
    "wrong_issuer": N_("The accreditation was issued by another authority."),
    "expired": N_("The accreditation has expired."),
    "not_yet_valid": N_("The accreditation is not valid yet."),
    "revoked": N_("This accreditation code was reported lost: ask the officer for the current code."),
    "withdrawn": N_("This accreditation has been withdrawn: refer the holder to a supervisor."),
    "unknown_accreditation": N_("No officer holds accreditation {accreditation_id}."),
    "superseded": N_("This code belongs to an accreditation that has been replaced."),
}
CHECKED_IN = N_("{name} is checked in.")
ALREADY = N_("{name} was already checked in at {time} (Paris time).")
ALREADY_NO_TIME = N_("{name} was already checked in.")
# Read by the officer on the phone.
WITHDRAWN_FOR_HOLDER = N_("Your accreditation has been withdrawn: contact the accreditation desk.")
NO_ACCREDITATION = N_("You hold no accreditation.")


def text(lang: str, message: str) -> str:
    return gettext(lang, message, domain=DOMAIN)


def refusal(lang: str, reason: str, **params: object) -> str:
    return gettext(lang, REFUSALS[reason], domain=DOMAIN, **params)


def checked_in(lang: str, name: str) -> str:
    return gettext(lang, CHECKED_IN, domain=DOMAIN, name=name)


def already(lang: str, name: str, at: datetime | None) -> str:
    if at is None:
        return gettext(lang, ALREADY_NO_TIME, domain=DOMAIN, name=name)
    local = at.astimezone(PARIS)
    return gettext(lang, ALREADY, domain=DOMAIN, name=name, time=local.strftime("%d/%m %H:%M"))
