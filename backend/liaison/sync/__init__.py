"""Offline sync: what a phone pulls, what it pushes, and how an open app hears that something changed.

Pull (`GET /api/sync?cursor=`, pull.py): every change the caller may see after its cursor, in pages of at
most 1,000 (`more`). The cursor is opaque (cursor.py): a complete one is "everything up to version N"; in
the middle of a pass it also holds the pass's fixed upper bound and the last (version, id) sent, so that
the 21,850 rows the demo writes in one version page stably. Sources per entity register in registry.py
(every domain's `sync.py` is listed in `liaison/registrations.py`). Deletes are soft-deleted rows and
`Tombstone`s (lost visibility), both sent as `op: "delete"`; a snapshot sends none.

Scope per role: everyone syncs its own account, its notices and briefings, the alert level and the venues. An
officer also its own assignments and their shifts; a delegation lead its country's officers and their
assignments and shifts (its phone shows only the lead's own as its schedule); coordinators and admins every
shift (the plan) and check-in, and every notice and briefing sent (the staff view); desk agents every check-in
(to know offline who is in). Staff sync no people and no assignments: at the whole force's scale that is
hundreds of thousands of rows, and their consoles search and plan through the officers and planning APIs.

Cold snapshots (a mass reconnect, snapshots.py): officers' and leads' first pulls are gathered while one batch
runs (coalesce.py) and served together: one session, one clock read and one query per source for up to 200
phones, columns read raw (hot_reads.py); sign-ins are checked the same way (auth/token_lookup.py). What many
phones share (venues, the alert level, notice texts, shifts) is encoded once and reused by range or by row
version (shared.py). A first pull longer than a page (a lead's contingent) is kept for its later pages.

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
