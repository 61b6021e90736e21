"""How venues are shown."""

from __future__ import annotations

import uuid

import msgspec

from liaison.venues.models import Venue


class VenueOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    kind: str
    address: str
    city: str
    latitude: float
    longitude: float
    meeting_point: str
    sports: list[str]
    languages: list[str]
    map_url: str


def map_url(latitude: float, longitude: float) -> str:
    # geo-neutral OpenStreetMap link: opens in any browser and hands off to the phone's map app.
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{latitude:.6f}/{longitude:.6f}"
    )


def venue_out(v: Venue) -> VenueOut:
    return VenueOut(
        id=v.id,
        name=v.name,
        kind=v.kind,
        address=v.address,
        city=v.city,
        latitude=v.latitude,
        longitude=v.longitude,
        meeting_point=v.meeting_point,
        sports=list(v.sports or []),
        languages=list(v.languages or []),
        map_url=map_url(v.latitude, v.longitude),
    )
