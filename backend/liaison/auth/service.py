"""Sign-in, enrollment codes, device tokens and their revocation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.models import Device, EnrollmentCode
from liaison.auth.secrets import digest, new_enrollment_code, new_token, normalize_code, verify_password
from liaison.database import utcnow
from liaison.errors import NotFound, Unauthorized
from liaison.officers.models import User

LOGIN_LIFETIME = timedelta(hours=12)
# An enrolled phone keeps working for the whole deployment, offline included, until revoked.
DEVICE_LIFETIME = timedelta(days=60)
CODE_LIFETIME = timedelta(hours=48)


async def _open_device(
    session: AsyncSession, user: User, kind: str, name: str, lifetime: timedelta
) -> tuple[str, Device]:
    token = new_token()
    device = Device(
        user_id=user.id, kind=kind, name=name[:120], token_hash=digest(token), expires_at=utcnow() + lifetime
    )
    session.add(device)
    await session.flush()
    return token, device


async def login(session: AsyncSession, email: str, password: str, device_name: str) -> tuple[str, Device, User]:
    user = (await session.execute(select(User).where(User.email == email.strip().lower()))).scalar_one_or_none()
    if user is None or user.deleted_at is not None or not verify_password(user.password_hash, password):
        raise Unauthorized("Wrong e-mail or password.")
    token, device = await _open_device(session, user, "login", device_name, LOGIN_LIFETIME)
    await session.commit()
    return token, device, user


async def create_enrollment(
    session: AsyncSession, officer_id: uuid.UUID, created_by: uuid.UUID
) -> tuple[str, EnrollmentCode]:
    officer = await session.get(User, officer_id)
    if officer is None or officer.deleted_at is not None:
        raise NotFound(f"No officer {officer_id}.")
    code = new_enrollment_code()
    row = EnrollmentCode(
        user_id=officer.id, code_hash=digest(code), created_by=created_by, expires_at=utcnow() + CODE_LIFETIME
    )
    session.add(row)
    await session.commit()
    return code, row


async def enroll(session: AsyncSession, code: str, device_name: str) -> tuple[str, Device, User]:
    now = utcnow()
    code_hash = digest(normalize_code(code))
    # Claim the code with a conditional UPDATE: of two phones racing with one code, exactly one wins.
    claimed = await session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None), EnrollmentCode.expires_at > now)
        .values(used_at=now)
        .returning(EnrollmentCode.id, EnrollmentCode.user_id)
    )
    row = claimed.first()
    if row is None:
        await session.rollback()
        raise Unauthorized("This enrollment code is unknown, already used or expired: ask the desk for a new one.")
    user = await session.get(User, row.user_id)
    if user is None or user.deleted_at is not None:
        await session.rollback()
        raise Unauthorized("This enrollment code no longer belongs to an active officer.")
    token, device = await _open_device(session, user, "enrolled", device_name or "Phone", DEVICE_LIFETIME)
    await session.execute(update(EnrollmentCode).where(EnrollmentCode.id == row.id).values(device_id=device.id))
    await session.commit()
    return token, device, user


async def revoke_device(session: AsyncSession, device_id: uuid.UUID, by: uuid.UUID) -> Device:
    device = await session.get(Device, device_id)
    if device is None:
        raise NotFound(f"No device {device_id}.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_by = by
        await session.commit()
    return device


async def list_devices(session: AsyncSession, user_id: uuid.UUID) -> list[Device]:
    rows = await session.execute(select(Device).where(Device.user_id == user_id).order_by(Device.created_at.desc()))
    return list(rows.scalars())
