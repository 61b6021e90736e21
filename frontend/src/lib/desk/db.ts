/**
 * The desk's own IndexedDB (separate from the officer app's): what it needs to verify and look people up
 * with no network — the JWKS, the revocation list, the roster of officers — and the scans it made.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { Jwk, Revocation } from './jws';

export interface RosterOfficer {
	id: string;
	name: string;
	country: string | null;
	accreditation_id: string;
	locale: string;
	status: string;
	rank: string | null;
	arrival: string | null;
	departure: string | null;
}

export type ScanState = 'sent' | 'queued' | 'synced' | 'rejected';

/** One check-in this desk made: sent at once (online) or queued in the sync outbox (offline). */
export interface DeskScan {
	id: string; // the outbox mutation id when queued, else a local id
	officer_id: string;
	accreditation_id: string;
	name: string;
	country: string | null;
	scanned_at: string; // when the code was read
	checked_in_at: string; // when the agent tapped check-in
	result: 'checked_in' | 'already_checked_in';
	state: ScanState;
	// Scan → verified, and scan → checked in, for the desk's own pace.
	verify_ms: number;
	total_ms: number;
}

export interface DeskMeta {
	key: string;
	value: unknown;
}

export class DeskDB extends Dexie {
	roster!: EntityTable<RosterOfficer, 'id'>;
	scans!: EntityTable<DeskScan, 'id'>;
	meta!: EntityTable<DeskMeta, 'key'>;

	constructor(name = 'liaison-desk') {
		super(name);
		this.version(1).stores({
			roster: 'id, &accreditation_id',
			scans: 'id, officer_id, checked_in_at, state',
			meta: 'key'
		});
	}
}

export const deskDb = new DeskDB();

export async function deskMeta<T>(key: string): Promise<T | undefined> {
	return (await deskDb.meta.get(key))?.value as T | undefined;
}

export async function setDeskMeta(key: string, value: unknown): Promise<void> {
	await deskDb.meta.put({ key, value });
}

export interface KeyCache {
	keys: Jwk[];
	fetched_at: string;
}

export interface RevocationCache {
	items: Revocation[];
	etag: string | null;
	fetched_at: string;
}
