"""Staff accounts made from the command line."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.auth.secrets import hash_password
from liaison.i18n.locales import is_known_locale, normalize
from liaison.officers.models import Country, User


class AccountError(ValueError):
    pass


async def create_staff(
    session: AsyncSession,
    *,
    email: str,
    role: str,
    first_name: str,
    last_name: str,
    country: str | None,
    locale: str,
    password: str,
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"email: {email!r} is not an e-mail address")
    if len(password) < 10:
        raise AccountError("password: use at least 10 characters")
    if not is_known_locale(locale):
        raise AccountError(f"locale: unknown language {locale!r}")
    if role == "delegation_lead" and not country:
        raise AccountError("country: a delegation lead needs its country (--country DE)")
    if country and await session.get(Country, country.upper()) is None:
        raise AccountError(f"country: {country!r} is not a participating country")
    if (await session.execute(select(User.id).where(User.email == email))).first():
        raise AccountError(f"email: an account with {email} already exists")
    user = User(
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        country_code=country.upper() if country else None,
        locale=normalize(locale),
        password_hash=hash_password(password),
        status="arrived",
        languages=[normalize(locale).split("-")[0]],
    )
    session.add(user)
    await session.commit()
    return user
