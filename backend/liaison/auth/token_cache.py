"""An in-process cache of token → Principal, so hot paths (sync polls) authenticate without the database.

A revocation clears the entry at once in this process; other processes and instances drop it within
`token_cache_seconds` (the TTL), the documented bound on how long a revoked phone keeps access.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict

from liaison.auth.principal import Principal


class TokenCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 200_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def get(self, token_hash: str) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        principal, expires = entry
        if expires < time.monotonic():
            self._entries.pop(token_hash, None)
            return None
        return principal

    def put(self, token_hash: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        self._entries[token_hash] = (principal, time.monotonic() + self.ttl)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget_user(self, user_id: uuid.UUID) -> None:
        for key in [k for k, (p, _) in self._entries.items() if p.user_id == user_id]:
            del self._entries[key]

    def forget_device(self, device_id: uuid.UUID) -> None:
        for key in [k for k, (p, _) in self._entries.items() if p.device_id == device_id]:
            del self._entries[key]
