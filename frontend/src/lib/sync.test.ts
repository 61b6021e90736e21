import { beforeEach, describe, expect, it } from 'vitest';
import { all, LiaisonDB, one } from './db';
import { SyncEngine } from './sync';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A fake server: routes by "METHOD path", records every call. */
function server(routes: Record<string, Handler>) {
	const calls: { method: string; url: string; headers: Headers; body: unknown }[] = [];
	const fetcher = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
		const url = String(input);
		const method = init.method ?? 'GET';
		calls.push({ method, url, headers: new Headers(init.headers), body: init.body ? JSON.parse(String(init.body)) : undefined });
		const path = url.split('?')[0];
		const handler = routes[`${method} ${path}`];
		if (!handler) return json({ title: 'Not Found', status: 404 }, 404);
		return handler(url, init);
	}) as typeof fetch;
	return { fetcher, calls };
}

let counter = 0;
function engine(fetcher: typeof fetch, extra: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}) {
	const database = new LiaisonDB(`test-${++counter}`);
	return new SyncEngine({ database, fetcher, token: async () => 'tok', ...extra });
}

const venue = { id: 'v1', name: 'Stade de France', address: '93200 Saint-Denis', meeting_point: 'Gate A' };
const shift = {
	id: 's1',
	venue_id: 'v1',
	starts_at: '2026-07-26T05:00:00Z',
	ends_at: '2026-07-26T13:00:00Z',
	task: 'Crowd liaison',
	contact_name: 'Cdt Martin',
	contact_phone: '+33 1 00 00 00 00'
};

describe('pull through /api/sync', () => {
	it('applies pages until `more` is false and keeps the cursor and ETag', async () => {
		const { fetcher, calls } = server({
			'GET /api/sync': (url) =>
				url.includes('cursor=c1')
					? json({ cursor: 'c2', more: false, changes: [{ entity: 'shift', id: 's1', op: 'upsert', data: shift }] }, 200, { etag: '"e2"' })
					: json({ cursor: 'c1', more: true, changes: [{ entity: 'venue', id: 'v1', op: 'upsert', data: venue }] }, 200, { etag: '"e1"' })
		});
		const sync = engine(fetcher);
		await sync.sync();
		expect(await one('venue', 'v1', sync.db)).toEqual(venue);
		expect(await one('shift', 's1', sync.db)).toEqual(shift);
		expect((await sync.db.meta.get('cursor'))?.value).toBe('c2');
		expect((await sync.db.meta.get('etag'))?.value).toBe('"e2"');
		expect(calls.map((c) => c.url)).toEqual(['/api/sync', '/api/sync?cursor=c1']);
		expect(calls[0].headers.get('authorization')).toBe('Bearer tok');
		expect(sync.status.lastSyncedAt).not.toBeNull();
	});

	it('sends If-None-Match and changes nothing on 304; deletes on tombstones', async () => {
		let round = 0;
		const { fetcher, calls } = server({
			'GET /api/sync': () => {
				round++;
				if (round === 1) return json({ cursor: 'c1', more: false, changes: [{ entity: 'shift', id: 's1', op: 'upsert', data: shift }] }, 200, { etag: '"e1"' });
				if (round === 2) return new Response(null, { status: 304 });
				return json({ cursor: 'c3', more: false, changes: [{ entity: 'shift', id: 's1', op: 'delete' }] });
			}
		});
		const sync = engine(fetcher);
		await sync.pull();
		await sync.pull();
		expect(calls[1].headers.get('if-none-match')).toBe('"e1"');
		expect(await one('shift', 's1', sync.db)).toEqual(shift);
		await sync.pull();
		expect(await one('shift', 's1', sync.db)).toBeUndefined();
	});

	it('a pull from nothing drops what the server no longer sends', async () => {
		const { fetcher } = server({
			'GET /api/sync': () => json({ cursor: 'c1', more: false, changes: [{ entity: 'venue', id: 'v1', op: 'upsert', data: venue }] })
		});
		const sync = engine(fetcher);
		await sync.db.records.put({ entity: 'shift', id: 'old', data: { id: 'old' } });
		await sync.pull();
		expect(await one('shift', 'old', sync.db)).toBeUndefined();
		expect(await one('venue', 'v1', sync.db)).toEqual(venue);
	});
});

describe('the outbox', () => {
	let notice: Record<string, unknown>;
	beforeEach(() => {
		notice = { id: 'n1', title: 'Briefing', body: 'Gate B', priority: 'urgent', requires_ack: true, acknowledged_at: null };
	});

	it('keeps mutations while offline and replays them once the network is back', async () => {
		let online = false;
		const received: unknown[] = [];
		const fetcher = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
			if (!online) throw new TypeError('Failed to fetch');
			const url = String(input);
			if (url === '/api/sync/mutations') {
				const body = JSON.parse(String(init.body));
				received.push(body);
				return json({ results: body.mutations.map((m: { id: string }) => ({ id: m.id, status: 'applied' })) });
			}
			return json({ cursor: 'c', more: false, changes: [] });
		}) as typeof fetch;
		const sync = engine(fetcher);
		await sync.db.records.put({ entity: 'notice', id: 'n1', data: notice });
		const id = await sync.mutate('notice.ack', { notice_id: 'n1' }, { entity: 'notice', id: 'n1', patch: { acknowledged_at: '2026-07-26T08:00:00Z' } });
		await sync.sync();
		expect(sync.status.online).toBe(false);
		expect((await one<Record<string, unknown>>('notice', 'n1', sync.db))?.acknowledged_at).toBe('2026-07-26T08:00:00Z');
		expect(await sync.db.outbox.count()).toBe(1);

		online = true;
		await sync.sync();
		expect(sync.status.online).toBe(true);
		expect(await sync.db.outbox.count()).toBe(0);
		expect(received).toHaveLength(1);
		const sent = (received[0] as { client_id: string; mutations: { id: string; name: string; args: unknown }[] });
		expect(sent.client_id).toMatch(/^[0-9a-f-]{36}$/);
		expect(sent.mutations).toEqual([expect.objectContaining({ id, name: 'notice.ack', args: { notice_id: 'n1' } })]);
	});

	it('a rejected mutation is kept with its reason and its optimistic change undone', async () => {
		const { fetcher } = server({
			'POST /api/sync/mutations': (_url, init) => {
				const body = JSON.parse(String(init.body));
				return json({ results: [{ id: body.mutations[0].id, status: 'rejected', error: 'notice withdrawn' }] });
			},
			'GET /api/sync': () => json({ cursor: 'c', more: false, changes: [{ entity: 'notice', id: 'n1', op: 'upsert', data: notice }] })
		});
		const sync = engine(fetcher);
		await sync.db.records.put({ entity: 'notice', id: 'n1', data: notice });
		await sync.mutate('notice.ack', { notice_id: 'n1' }, { entity: 'notice', id: 'n1', patch: { acknowledged_at: 'now' } });
		await sync.sync();
		const [row] = await sync.db.outbox.toArray();
		expect(row.status).toBe('rejected');
		expect(row.error).toBe('notice withdrawn');
		expect((await one<Record<string, unknown>>('notice', 'n1', sync.db))?.acknowledged_at).toBeNull();
	});

	it('sends the language through PATCH /api/me', async () => {
		const { fetcher, calls } = server({
			'PATCH /api/me': () => json({ id: 'u1', locale: 'ar' }),
			'GET /api/sync': () => json({ cursor: 'c', more: false, changes: [] })
		});
		const sync = engine(fetcher);
		await sync.mutate('me.locale', { locale: 'ar' });
		await sync.sync();
		const patch = calls.find((c) => c.method === 'PATCH');
		expect(patch?.body).toEqual({ locale: 'ar' });
		expect(await sync.db.outbox.count()).toBe(0);
	});

	it('a revoked token signs the phone out', async () => {
		let signedOut = false;
		const { fetcher } = server({ 'GET /api/sync': () => json({ title: 'Unauthorized' }, 401) });
		const sync = engine(fetcher, { onUnauthorized: () => void (signedOut = true) });
		await sync.sync();
		expect(signedOut).toBe(true);
		expect(sync.status.error).toBeTruthy();
	});
});
