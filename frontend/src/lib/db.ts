/**
 * IndexedDB through Dexie: what the phone knows, shown instantly and offline.
 *
 * `records` holds every synced entity as the server sent it (`data` is the REST object), keyed by
 * entity and id, so a new entity kind from the server needs no schema change here. `outbox` holds the
 * mutations made offline, replayed in order; `meta` holds the session, the sync cursor and its ETag.
 */
import Dexie, { type EntityTable } from 'dexie';

export interface RecordRow {
	entity: string;
	id: string;
	data: Record<string, unknown>;
}

export type OutboxStatus = 'pending' | 'rejected';

export interface OutboxRow {
	id: string; // the mutation's UUID, made here: the server applies it once
	name: string;
	args: Record<string, unknown>;
	occurred_at: string;
	status: OutboxStatus;
	error?: string;
	attempts: number;
}

export interface MetaRow {
	key: string;
	value: unknown;
}

export class LiaisonDB extends Dexie {
	records!: Dexie.Table<RecordRow, [string, string]>;
	outbox!: EntityTable<OutboxRow, 'id'>;
	meta!: EntityTable<MetaRow, 'key'>;

	constructor(name = 'liaison') {
		super(name);
		this.version(1).stores({
			records: '[entity+id], entity',
			outbox: 'id, status, occurred_at',
			meta: 'key'
		});
	}
}

export const db = new LiaisonDB();

export async function getMeta<T>(key: string, database: LiaisonDB = db): Promise<T | undefined> {
	return (await database.meta.get(key))?.value as T | undefined;
}

export async function setMeta(key: string, value: unknown, database: LiaisonDB = db): Promise<void> {
	await database.meta.put({ key, value });
}

export async function all<T>(entity: string, database: LiaisonDB = db): Promise<T[]> {
	const rows = await database.records.where('entity').equals(entity).toArray();
	return rows.map((r) => r.data as T);
}

export async function one<T>(entity: string, id: string, database: LiaisonDB = db): Promise<T | undefined> {
	return (await database.records.get([entity, id]))?.data as T | undefined;
}
