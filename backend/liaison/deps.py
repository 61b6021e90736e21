"""Names of the app-wide dependencies, declared explicitly as Litestar 3 will require."""

from __future__ import annotations

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.settings import Settings

DbSession = NamedDependency[AsyncSession]
AppSettings = NamedDependency[Settings]
