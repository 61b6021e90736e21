"""RFC 9457 problem details for every error, so clients never see a stack trace or an HTML page."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

log = logging.getLogger("liaison.errors")
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://liaison.example.org/problems/"


class DomainError(Exception):
    """A rule of the domain was broken; services raise these and know nothing of HTTP."""

    status = 400
    kind = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    kind = "not-found"


class Conflict(DomainError):
    status = 409
    kind = "conflict"


class Invalid(DomainError):
    """Input that parses but makes no sense (422), optionally naming fields."""

    status = 422
    kind = "validation-error"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        if errors is not None:
            self.extra["errors"] = errors


class Forbidden(DomainError):
    status = 403
    kind = "forbidden"


class Unauthorized(DomainError):
    status = 401
    kind = "unauthorized"


def problem(
    status: int, detail: str, *, kind: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_MISSING = re.compile(r"missing required field `([^`]+)`")
_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`")


def _field_of(key: str, message: str) -> str:
    """msgspec reports body errors as key "data" with the real field inside the message: pull it out."""
    if key not in ("data", "body", ""):
        return key
    path = _AT_PATH.search(message)
    missing = _MISSING.search(message)
    parts = [p for p in ((path.group(1) if path else ""), (missing.group(1) if missing else "")) if p]
    return ".".join(parts) or "body"


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", "invalid value"))
            field = _field_of(str(item.get("key") or ""), message)
            errors.append({"field": field, "message": _AT_PATH.sub("", message)})
    return errors


def handle_validation(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    errors = _validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    # Litestar reports unparseable bodies as 400; both are "your input is wrong".
    return problem(exc.status_code, detail, kind="validation-error", errors=errors)


def handle_http(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, dict) else {}
    detail = exc.detail
    if isinstance(exc, NotFoundException) and detail == "Not Found":
        detail = "Nothing here: check the address."
    return problem(exc.status_code, detail, headers=exc.headers, **extra)


def handle_domain(_: Request, exc: DomainError) -> Response[dict[str, Any]]:
    return problem(exc.status, exc.detail, kind=exc.kind, **exc.extra)


def handle_unexpected(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; it has been logged.")


EXCEPTION_HANDLERS = {
    ValidationException: handle_validation,
    HTTPException: handle_http,
    DomainError: handle_domain,
    Exception: handle_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType", "problem"]
