"""Offline sync: what a phone pulls, what it pushes, and how an open app hears that something changed.

Pull (`GET /api/sync?cursor=`, pull.py): every change the caller may see after its cursor, in pages of at
most 1,000 (`more`). The cursor is opaque (cursor.py): a complete one is "everything up to version N"; in
the middle of a pass it also holds the pass's fixed upper bound and the last (version, id) sent, so that
the 21,850 rows the demo writes in one version page stably. Sources per entity register in registry.py
(every domain's `sync.py` is listed in `liaison/registrations.py`). Deletes are soft-deleted rows and
`Tombstone`s (lost visibility), both sent as `op: "delete"`; a snapshot sends none.

Scope per role: an officer syncs its own account, assignments and their shifts, its notices and briefings, the
alert level and the venues; a delegation lead also its country's officers and their assignments and shifts;
desk agents, coordinators and admins every officer, assignment, shift and check-in, and coordinators every
notice and briefing sent (the staff view). The alert level and the venues are the same for everyone.

Cold snapshots (a mass reconnect) cost a handful of queries per phone: an officer's assignments and shifts come
from one query, its notices and briefings from another; what many phones share (venues, the alert level,
notice texts, shifts) is encoded once and reused by range or by row version (shared.py).

Unchanged polls: the ETag of an answer is its cursor. `If-None-Match` with that cursor is answered 304
from memory while this process's clock index (clock_index.py) shows no commit since the caller's pull was
last found empty; otherwise only the versions committed since then are checked. Commits of this process
are seen at once, those of other processes and instances within one clock poll (0.5 s).

Push (`POST /api/sync/mutations`, mutations.py): a batch of client mutations, each applied once (the
`sync_mutations` idempotency record, keyed by the client's mutation id), in order, each in its own
savepoint; the time it happened on the phone (`occurred_at`) is kept apart from `received_at`.

Live (`GET /api/sync/live`, live.py): Server-Sent Events saying `changed` (with the clock version) when
something the caller may see committed; the app then pulls.
"""
