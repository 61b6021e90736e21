"""The one list shape of the API: `{"items", "limit", "offset", "total"}` (Litestar's OffsetPagination)."""

from __future__ import annotations

from typing import TypeVar

from litestar.pagination import OffsetPagination
from litestar.params import Parameter
from typing_extensions import Annotated

T = TypeVar("T")

Limit = Annotated[int, Parameter(query="limit", ge=1, le=1000, default=50, description="Page size (1–1000)")]
Offset = Annotated[int, Parameter(query="offset", ge=0, default=0, description="Items to skip")]


def page(items: list[T], *, limit: int, offset: int, total: int) -> OffsetPagination[T]:
    return OffsetPagination(items=items, limit=limit, offset=offset, total=total)
