/**
 * Keeps the desk's offline copies current while the network is there: the JWKS (public), the revocation list
 * (ETag, so an unchanged list costs a 304) and the roster (planned arrivals and status of every officer).
 */
import { api, request, problem } from '$lib/api';
import { deskDb, deskMeta, setDeskMeta, type KeyCache, type RevocationCache, type RosterOfficer } from './db';
import type { Jwk, Revocation } from './jws';

interface Page<T> {
	items: T[];
	total: number;
}

const ROSTER_PAGE = 1000;

export async function refreshKeys(): Promise<KeyCache> {
	const body = await api<{ keys: Jwk[] }>('/api/accreditation/jwks.json');
	const cache: KeyCache = { keys: body.keys, fetched_at: new Date().toISOString() };
	await setDeskMeta('jwks', cache);
	return cache;
}

export async function refreshRevocations(token: string): Promise<RevocationCache> {
	const before = await deskMeta<RevocationCache>('revocations');
	const headers: Record<string, string> = {};
	if (before?.etag) headers['if-none-match'] = before.etag;
	const items: Revocation[] = [];
	let etag: string | null = null;
	for (let offset = 0; ; offset += ROSTER_PAGE) {
		const response = await request(`/api/accreditation/revocations?limit=${ROSTER_PAGE}&offset=${offset}`, {
			token,
			headers: offset === 0 ? headers : {}
		});
		if (response.status === 304 && before) {
			const same = { ...before, fetched_at: new Date().toISOString() };
			await setDeskMeta('revocations', same);
			return same;
		}
		if (!response.ok) throw await problem(response);
		if (offset === 0) etag = response.headers.get('etag');
		const page = (await response.json()) as Page<Revocation>;
		items.push(...page.items);
		if (items.length >= page.total || !page.items.length) break;
	}
	const cache: RevocationCache = { items, etag, fetched_at: new Date().toISOString() };
	await setDeskMeta('revocations', cache);
	return cache;
}

export async function refreshRoster(token: string): Promise<number> {
	const officers: RosterOfficer[] = [];
	for (let offset = 0; ; offset += ROSTER_PAGE) {
		const page = await api<Page<RosterOfficer>>(`/api/officers?limit=${ROSTER_PAGE}&offset=${offset}`, { token });
		officers.push(...page.items.filter((o) => o.accreditation_id));
		if (officers.length >= page.total || !page.items.length) break;
	}
	await deskDb.transaction('rw', deskDb.roster, deskDb.meta, async () => {
		await deskDb.roster.clear();
		await deskDb.roster.bulkPut(
			officers.map((o) => ({
				id: o.id,
				name: o.name,
				country: o.country,
				accreditation_id: o.accreditation_id.toUpperCase(),
				locale: o.locale,
				status: o.status,
				rank: o.rank,
				arrival: o.arrival,
				departure: o.departure
			}))
		);
		await setDeskMeta('rosterFetchedAt', new Date().toISOString());
	});
	return officers.length;
}
