"""People: every foreign officer and every host staff member; `role` says which."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey, utcnow
from liaison.sync.versioning import Versioned

# Countries whose names are written family name first (as on their passports in the national script).
FAMILY_NAME_FIRST = frozenset({"JP", "KR", "CN", "TW", "HU", "VN"})
ROLES = ("officer", "delegation_lead", "desk", "coordinator", "admin")
STATUSES = ("expected", "arrived", "departed")


def display_name(first_name: str, last_name: str, country_code: str | None) -> str:
    """A person's name as shown everywhere: family name first where the country writes it so."""
    if country_code in FAMILY_NAME_FIRST:
        return f"{last_name} {first_name}".strip()
    return f"{first_name} {last_name}".strip()


class Country(Base):
    __tablename__ = "countries"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    # Languages people of this country speak, most common first (BCP 47 tags).
    languages: Mapped[list[str]] = mapped_column(default=list)


class User(UUIDPrimaryKey, Versioned, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_country_role", "country_code", "role"),
        # Covering index for the planner's coverage: an officer's languages read without touching the table.
        Index("ix_users_id_languages", "id", "languages"),
    )

    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="officer")
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # Languages the person can work in, for coverage planning.
    languages: Mapped[list[str]] = mapped_column(default=list)
    rank: Mapped[str | None] = mapped_column(String(80))
    accreditation_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="expected")
    arrival: Mapped[date | None] = mapped_column()
    departure: Mapped[date | None] = mapped_column()
    arrived_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.country_code)

    @property
    def user_id(self) -> uuid.UUID:
        return self.id
