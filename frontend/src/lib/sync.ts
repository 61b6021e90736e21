/**
 * Offline sync: pull what changed since the cursor into IndexedDB, replay the outbox of mutations.
 *
 * The server is the authority. Pull follows `/api/sync` (cursor, ETag, `more`); a backend without it
 * (404) is read through `/api/me` and `/api/me/assignments` instead, so the phone works either way.
 * Mutations carry client-made UUIDs, so replaying one twice is harmless (`duplicate`).
 */
import { ApiError, NetworkError, problem, request, type Fetcher } from './api';
import { db as defaultDb, getMeta, setMeta, type LiaisonDB, type OutboxRow, type RecordRow } from './db';

export interface Change {
	entity: string;
	id: string;
	op: 'upsert' | 'delete';
	data?: Record<string, unknown>;
}

interface SyncPage {
	cursor: string;
	changes: Change[];
	reset?: boolean;
	more: boolean;
}

interface MutationResult {
	id: string;
	status: 'applied' | 'duplicate' | 'rejected';
	error?: string;
}

export interface SyncStatus {
	online: boolean;
	syncing: boolean;
	lastSyncedAt: string | null;
	error: string | null;
}

/** What an optimistic change overwrote, put back when the server rejects the mutation. */
export interface Undo {
	entity: string;
	id: string;
	data: Record<string, unknown> | null;
}

const PAGE_LIMIT = 50; // pages per pull: a guard against a server that always says `more`

export interface SyncOptions {
	database?: LiaisonDB;
	fetcher?: Fetcher;
	token: () => Promise<string | null>;
	onUnauthorized?: () => Promise<void> | void;
	onStatus?: (status: SyncStatus) => void;
}

export class SyncEngine {
	readonly db: LiaisonDB;
	status: SyncStatus = { online: true, syncing: false, lastSyncedAt: null, error: null };
	private fetcher: Fetcher | undefined;
	private running: Promise<void> | null = null;
	private again = false;

	constructor(private opts: SyncOptions) {
		this.db = opts.database ?? defaultDb;
		this.fetcher = opts.fetcher;
	}

	async init(): Promise<void> {
		this.status.lastSyncedAt = (await getMeta<string>('lastSyncedAt', this.db)) ?? null;
		this.emit();
	}

	private emit(): void {
		this.opts.onStatus?.({ ...this.status });
	}

	private async call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
		const token = await this.opts.token();
		const response = await request(path, { ...init, token, fetcher: this.fetcher });
		if (response.status === 401) {
			await this.opts.onUnauthorized?.();
			throw await problem(response);
		}
		return response;
	}

	/** Push then pull; concurrent calls share one run, and a call during a run schedules one more. */
	sync(): Promise<void> {
		if (this.running) {
			this.again = true;
			return this.running;
		}
		this.running = (async () => {
			do {
				this.again = false;
				await this.runOnce();
			} while (this.again);
		})().finally(() => {
			this.running = null;
		});
		return this.running;
	}

	private async runOnce(): Promise<void> {
		if (!(await this.opts.token())) return;
		this.status.syncing = true;
		this.emit();
		try {
			await this.pushOutbox();
			await this.pull();
			this.status.online = true;
			this.status.error = null;
			this.status.lastSyncedAt = new Date().toISOString();
			await setMeta('lastSyncedAt', this.status.lastSyncedAt, this.db);
		} catch (err) {
			if (err instanceof NetworkError) this.status.online = false;
			else this.status.error = err instanceof Error ? err.message : String(err);
		} finally {
			this.status.syncing = false;
			this.emit();
		}
	}

	// ---- pull -------------------------------------------------------------------------------

	async pull(): Promise<void> {
		let cursor = (await getMeta<string>('cursor', this.db)) ?? null;
		let full = cursor === null;
		const seen = new Set<string>();
		for (let page = 0; page < PAGE_LIMIT; page++) {
			const etag = await getMeta<string>('etag', this.db);
			const headers: Record<string, string> = {};
			if (etag && cursor) headers['if-none-match'] = etag;
			const path = cursor ? `/api/sync?cursor=${encodeURIComponent(cursor)}` : '/api/sync';
			const response = await this.call(path, { headers });
			if (response.status === 304) return;
			if (response.status === 400 || response.status === 410) {
				// The server no longer knows this cursor: start over from everything.
				await this.db.meta.bulkDelete(['cursor', 'etag']);
				if (cursor === null) throw await problem(response);
				return this.pull();
			}
			if (!response.ok) throw await problem(response);
			const body = (await response.json()) as SyncPage;
			// The server restarted this device from a snapshot (another language, a rebuilt database…):
			// whatever the snapshot does not contain is no longer ours.
			if (body.reset) full = true;
			for (const c of body.changes) seen.add(`${c.entity}\u0000${c.id}`);
			await this.apply(body.changes, body.cursor, response.headers.get('etag'));
			cursor = body.cursor;
			if (!body.more) break;
		}
		if (full) await this.dropUnseen(seen);
	}

	/** One page of changes and its cursor, in one transaction: a crash never leaves them apart. */
	async apply(changes: Change[], cursor: string, etag: string | null): Promise<void> {
		await this.db.transaction('rw', this.db.records, this.db.meta, async () => {
			const upserts: RecordRow[] = [];
			const deletes: [string, string][] = [];
			for (const c of changes) {
				if (c.op === 'delete') deletes.push([c.entity, c.id]);
				else upserts.push({ entity: c.entity, id: c.id, data: c.data ?? {} });
			}
			if (deletes.length) await this.db.records.bulkDelete(deletes);
			if (upserts.length) await this.db.records.bulkPut(upserts);
			await this.db.meta.put({ key: 'cursor', value: cursor });
			if (etag) await this.db.meta.put({ key: 'etag', value: etag });
			else await this.db.meta.delete('etag');
		});
	}

	/** After a pull from nothing, what the server did not send is no longer ours to see. */
	private async dropUnseen(seen: Set<string>): Promise<void> {
		const keys = (await this.db.records.toCollection().primaryKeys()) as [string, string][];
		const stale = keys.filter(([entity, id]) => !seen.has(`${entity}\u0000${id}`));
		if (stale.length) await this.db.records.bulkDelete(stale);
	}

	// ---- mutations --------------------------------------------------------------------------

	/** Record a mutation (and its optimistic effect) locally; it reaches the server on the next sync. */
	async mutate(
		name: string,
		args: Record<string, unknown>,
		optimistic?: { entity: string; id: string; patch: Record<string, unknown> },
		occurredAt?: string // when it happened, if earlier than now (a desk's scan)
	): Promise<string> {
		const id = crypto.randomUUID();
		await this.db.transaction('rw', this.db.records, this.db.outbox, async () => {
			let undo: Undo | undefined;
			if (optimistic) {
				const before = await this.db.records.get([optimistic.entity, optimistic.id]);
				undo = { entity: optimistic.entity, id: optimistic.id, data: before?.data ?? null };
				if (before) await this.db.records.put({ ...before, data: { ...before.data, ...optimistic.patch } });
			}
			const row: OutboxRow & { undo?: Undo } = {
				id,
				name,
				args,
				occurred_at: occurredAt ?? new Date().toISOString(),
				status: 'pending',
				attempts: 0,
				undo
			};
			await this.db.outbox.add(row);
		});
		return id;
	}

	async pushOutbox(): Promise<void> {
		const pending = await this.db.outbox.where('status').equals('pending').sortBy('occurred_at');
		if (!pending.length) return;
		const restful = pending.filter((m) => m.name in REST_MUTATIONS);
		const batched = pending.filter((m) => !restful.includes(m));
		for (const m of restful) await this.replayRest(m);
		if (!batched.length) return;
		const clientId = await this.clientId();
		const response = await this.call('/api/sync/mutations', {
			method: 'POST',
			body: {
				client_id: clientId,
				mutations: batched.map((m) => ({ id: m.id, name: m.name, args: m.args, occurred_at: m.occurred_at }))
			}
		});
		if (!response.ok) throw await problem(response);
		const { results } = (await response.json()) as { results: MutationResult[] };
		for (const r of results) {
			if (r.status === 'rejected') await this.reject(r.id, r.error ?? 'rejected');
			else await this.db.outbox.delete(r.id);
		}
	}

	/** A mutation the API owns outside sync (the account's language), sent through its REST endpoint. */
	private async replayRest(m: OutboxRow): Promise<void> {
		const route = REST_MUTATIONS[m.name];
		if (!route) return; // nothing to send it to yet: keep it for a server that knows it
		const { method, path, body } = route.request(m.args);
		const response = await this.call(path, { method, body });
		if (response.ok) {
			await this.db.outbox.delete(m.id);
		} else if (response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 429) {
			const err = await problem(response);
			await this.reject(m.id, err.detail || err.title || `HTTP ${response.status}`);
		} else {
			await this.db.outbox.update(m.id, { attempts: m.attempts + 1 });
		}
	}

	/** The server said no: undo the optimistic change and keep the row so the screen can say why. */
	async reject(id: string, error: string): Promise<void> {
		await this.db.transaction('rw', this.db.records, this.db.outbox, async () => {
			const row = (await this.db.outbox.get(id)) as (OutboxRow & { undo?: Undo }) | undefined;
			if (!row) return;
			const undo = row.undo;
			if (undo) {
				if (undo.data === null) await this.db.records.delete([undo.entity, undo.id]);
				else await this.db.records.put({ entity: undo.entity, id: undo.id, data: undo.data });
			}
			await this.db.outbox.update(id, { status: 'rejected', error });
		});
	}

	private async clientId(): Promise<string> {
		let id = await getMeta<string>('clientId', this.db);
		if (!id) {
			id = crypto.randomUUID();
			await setMeta('clientId', id, this.db);
		}
		return id;
	}
}

// Mutations the API owns outside sync: sent through their REST endpoint, never in a batch.
interface RestRoute {
	request: (args: Record<string, unknown>) => { method: string; path: string; body?: unknown };
}

const REST_MUTATIONS: Record<string, RestRoute> = {
	'me.locale': { request: (a) => ({ method: 'PATCH', path: '/api/me', body: { locale: a.locale } }) }
};

export { ApiError };
