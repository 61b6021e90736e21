"""Venues: competition sites, live sites and the bases officers report to."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from liaison.database import Base, UUIDPrimaryKey
from liaison.sync.versioning import Versioned

VENUE_KINDS = ("competition", "live_site", "base", "reception")


class Venue(UUIDPrimaryKey, Versioned, Base):
    __tablename__ = "venues"
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(250))
    city: Mapped[str] = mapped_column(String(80))
    latitude: Mapped[float] = mapped_column()
    longitude: Mapped[float] = mapped_column()
    meeting_point: Mapped[str] = mapped_column(String(250), default="")
    sports: Mapped[list[str]] = mapped_column(default=list)
    # Languages visitors at this venue are expected to speak (from the delegations competing there).
    languages: Mapped[list[str]] = mapped_column(default=list)
