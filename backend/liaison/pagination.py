"""The one list shape of the API: `{"items", "limit", "offset", "total"}` (Litestar's OffsetPagination)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=1000, description="Page size (1–1000)")]
Offset = Annotated[int, QueryParameter(name="offset", ge=0, description="Items to skip")]


def page(items: list[T], *, limit: int, offset: int, total: int) -> OffsetPagination[T]:
    return OffsetPagination(items=items, limit=limit, offset=offset, total=total)
