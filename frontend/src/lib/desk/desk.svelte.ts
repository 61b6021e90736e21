/**
 * The accreditation desk's state: read a code, verify it offline, show who it is, check in with one tap
 * (online at once, else through the sync outbox with the scan time), then the phone's enrollment code.
 */
import { ApiError, NetworkError, api } from '$lib/api';
import { app } from '$lib/app.svelte';
import { db } from '$lib/db';
import { liveQuery, type Subscription } from 'dexie';
import { refreshKeys, refreshRevocations, refreshRoster } from './cache';
import { deskDb, deskMeta, type DeskScan, type KeyCache, type RevocationCache, type RosterOfficer } from './db';
import { isToken, verifyToken, type Refusal } from './jws';

export type Method = 'camera' | 'photo' | 'typed';

export interface Arrival {
	officer_id: string;
	accreditation_id: string;
	name: string;
	country: string | null;
	rank: string | null;
	locale: string | null;
	arrival: string | null; // planned, a Paris date
	token: string | null; // null when the id was typed
	method: Method;
	scanned_at: Date;
	verified_at: Date;
	// Known here as already in: when, if known.
	already: { at: string | null } | null;
}

export interface Enrollment {
	code: string;
	url: string;
	expires_at: string;
}

export type Phase =
	| { kind: 'idle' }
	| { kind: 'refused'; reason: Refusal | 'unknown_accreditation' | 'server'; detail?: string; accreditation_id?: string }
	| { kind: 'verified'; arrival: Arrival }
	| { kind: 'checking'; arrival: Arrival }
	| {
			kind: 'done';
			arrival: Arrival;
			result: 'checked_in' | 'already_checked_in';
			queued: boolean;
			at: string | null;
			enrollment: Enrollment | null;
			enrollError: string | null;
	  };

export interface CacheStatus {
	keys: number;
	revocations: number;
	roster: number;
	fetchedAt: string | null;
	error: string | null;
}

interface CheckinResult {
	result: 'checked_in' | 'already_checked_in';
	checked_in_at: string | null;
	officer: { id: string; locale: string; arrival: string | null; rank: string | null };
	enrollment: (Enrollment & { officer_id?: string }) | null;
}

// Keys and revocations are small and matter at once; the roster (planned arrivals, every officer) changes
// little, and other desks' check-ins arrive through sync anyway.
const REFRESH_MS = 5 * 60_000;
const ROSTER_REFRESH_MS = 30 * 60_000;

export class Desk {
	phase = $state<Phase>({ kind: 'idle' });
	cache = $state<CacheStatus>({ keys: 0, revocations: 0, roster: 0, fetchedAt: null, error: null });
	scans = $state<DeskScan[]>([]);
	refreshing = $state(false);

	queued = $derived(this.scans.filter((s) => s.state === 'queued').length);
	counted = $derived(this.scans.filter((s) => s.result === 'checked_in' && s.state !== 'rejected').length);
	/** Median scan → checked-in time of this desk's check-ins, in seconds. */
	pace = $derived.by(() => {
		const times = this.scans.filter((s) => s.total_ms > 0).map((s) => s.total_ms).sort((a, b) => a - b);
		if (!times.length) return null;
		const mid = Math.floor(times.length / 2);
		return (times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2) / 1000;
	});

	private subscriptions: Subscription[] = [];
	private timer: ReturnType<typeof setInterval> | undefined;
	private rosterAt = 0;

	start(): void {
		this.subscriptions.push(
			liveQuery(() => deskDb.scans.orderBy('checked_in_at').reverse().toArray()).subscribe((rows) => (this.scans = rows))
		);
		// A queued check-in leaves the shared outbox when the server took it: mark it synced (or refused).
		this.subscriptions.push(
			liveQuery(() => db.outbox.toArray()).subscribe((outbox) => void this.reconcile(outbox.map((m) => [m.id, m.status, m.error])))
		);
		void this.loadCache().then(() => this.refresh());
		this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
		window.addEventListener('online', this.onOnline);
	}

	stop(): void {
		this.subscriptions.forEach((s) => s.unsubscribe());
		this.subscriptions = [];
		clearInterval(this.timer);
		window.removeEventListener('online', this.onOnline);
	}

	private onOnline = (): void => {
		void this.refresh();
	};

	private async loadCache(): Promise<void> {
		const keys = await deskMeta<KeyCache>('jwks');
		const revocations = await deskMeta<RevocationCache>('revocations');
		this.cache = {
			...this.cache,
			keys: keys?.keys.length ?? 0,
			revocations: revocations?.items.length ?? 0,
			roster: await deskDb.roster.count(),
			fetchedAt: (await deskMeta<string>('rosterFetchedAt')) ?? keys?.fetched_at ?? null
		};
	}

	/** Fetch the keys, the revocations and the roster; offline, keep what is cached. */
	async refresh(): Promise<void> {
		const token = app.session?.token;
		if (!token || this.refreshing) return;
		this.refreshing = true;
		try {
			const keys = await refreshKeys();
			const revocations = await refreshRevocations(token);
			let roster = this.cache.roster;
			if (!roster || Date.now() - this.rosterAt > ROSTER_REFRESH_MS) {
				roster = await refreshRoster(token);
				this.rosterAt = Date.now();
			}
			this.cache = { keys: keys.keys.length, revocations: revocations.items.length, roster, fetchedAt: new Date().toISOString(), error: null };
		} catch (err) {
			this.cache = { ...this.cache, error: err instanceof NetworkError ? 'offline' : String(err instanceof Error ? err.message : err) };
		} finally {
			this.refreshing = false;
		}
	}

	private async reconcile(outbox: [string, string, string | undefined][]): Promise<void> {
		const status = new Map(outbox.map(([id, state]) => [id, state]));
		const queued = await deskDb.scans.where('state').equals('queued').toArray();
		for (const scan of queued) {
			const state = status.get(scan.id);
			if (state === 'pending') continue;
			await deskDb.scans.update(scan.id, { state: state === 'rejected' ? 'rejected' : 'synced' });
		}
	}

	/** When this officer is known to be in already: this desk's scans, other desks' (synced), the roster. */
	private async alreadyIn(officerId: string, roster: RosterOfficer | undefined): Promise<{ at: string | null } | null> {
		const mine = (await deskDb.scans.where('officer_id').equals(officerId).toArray()).find(
			(s) => s.result === 'checked_in' && s.state !== 'rejected'
		);
		if (mine) return { at: mine.scanned_at };
		const synced = (await db.records.where('entity').equals('checkin').toArray())
			.map((r) => r.data as { officer_id: string; result: string; occurred_at: string })
			.find((c) => c.officer_id === officerId && c.result === 'checked_in');
		if (synced) return { at: synced.occurred_at };
		if (roster && roster.status !== 'expected') return { at: null };
		return null;
	}

	/** A code was read (camera or photo) or an id typed: verify it and show who it is. */
	async read(text: string, method: Method, scannedAt = new Date()): Promise<void> {
		text = text.trim();
		if (isToken(text)) return this.readToken(text, method, scannedAt);
		const id = text.toUpperCase();
		if (method !== 'typed' || !/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(id)) {
			this.phase = { kind: 'refused', reason: 'malformed' };
			return;
		}
		let roster = await deskDb.roster.where('accreditation_id').equals(id).first();
		if (!roster && app.session) roster = await this.lookupOnline(id, app.session.token);
		if (!roster) {
			this.phase = { kind: 'refused', reason: 'unknown_accreditation', accreditation_id: id };
			return;
		}
		const revocations = (await deskMeta<RevocationCache>('revocations'))?.items ?? [];
		if (revocations.some((r) => r.accreditation_id === id && r.reason === 'withdrawn')) {
			this.phase = { kind: 'refused', reason: 'withdrawn' };
			return;
		}
		this.phase = {
			kind: 'verified',
			arrival: {
				officer_id: roster.id,
				accreditation_id: id,
				name: roster.name,
				country: roster.country,
				rank: roster.rank,
				locale: roster.locale,
				arrival: roster.arrival,
				token: null,
				method,
				scanned_at: scannedAt,
				verified_at: new Date(),
				already: await this.alreadyIn(roster.id, roster)
			}
		};
	}

	private async lookupOnline(id: string, token: string): Promise<RosterOfficer | undefined> {
		try {
			const found = await api<{ items: RosterOfficer[] }>(`/api/officers?q=${encodeURIComponent(id)}&limit=5`, { token });
			return found.items.find((o) => o.accreditation_id?.toUpperCase() === id);
		} catch {
			return undefined;
		}
	}

	private async readToken(token: string, method: Method, scannedAt: Date): Promise<void> {
		let keys = (await deskMeta<KeyCache>('jwks'))?.keys ?? [];
		const revocations = (await deskMeta<RevocationCache>('revocations'))?.items ?? [];
		let verdict = await verifyToken(token, keys, revocations, scannedAt);
		if (!verdict.ok && verdict.reason === 'unknown_key') {
			// A key rotated since the last refresh: one fresh look when the network allows.
			try {
				keys = (await refreshKeys()).keys;
				verdict = await verifyToken(token, keys, revocations, scannedAt);
			} catch {
				// offline: the refusal stands
			}
		}
		if (!verdict.ok) {
			this.phase = { kind: 'refused', reason: verdict.reason };
			return;
		}
		const claims = verdict.claims;
		const roster = await deskDb.roster.get(claims.sub);
		this.phase = {
			kind: 'verified',
			arrival: {
				officer_id: claims.sub,
				accreditation_id: claims.accreditation_id,
				name: claims.name,
				country: claims.country,
				rank: claims.rank ?? roster?.rank ?? null,
				locale: roster?.locale ?? null,
				arrival: roster?.arrival ?? null,
				token,
				method,
				scanned_at: scannedAt,
				verified_at: new Date(),
				already: await this.alreadyIn(claims.sub, roster)
			}
		};
	}

	/** The one tap: online now, else queued with the scan time; never counted twice. */
	async checkIn(): Promise<void> {
		if (this.phase.kind !== 'verified') return;
		const arrival = this.phase.arrival;
		this.phase = { kind: 'checking', arrival };
		const body = arrival.token ? { token: arrival.token } : { accreditation_id: arrival.accreditation_id };
		const scannedAt = arrival.scanned_at.toISOString();
		try {
			const out = await api<CheckinResult>('/api/checkins', {
				method: 'POST',
				token: app.session?.token,
				body: { ...body, occurred_at: scannedAt, enroll: true }
			});
			await this.record(arrival, out.result, 'sent', crypto.randomUUID());
			this.phase = {
				kind: 'done',
				arrival: { ...arrival, locale: out.officer.locale, arrival: out.officer.arrival ?? arrival.arrival },
				result: out.result,
				queued: false,
				at: out.checked_in_at,
				enrollment: out.enrollment,
				enrollError: null
			};
		} catch (err) {
			if (err instanceof NetworkError) {
				const id = await app.engine.mutate('accreditation.checkin', body, undefined, scannedAt);
				await this.record(arrival, 'checked_in', 'queued', id);
				this.phase = { kind: 'done', arrival, result: 'checked_in', queued: true, at: scannedAt, enrollment: null, enrollError: null };
				return;
			}
			const detail = err instanceof ApiError ? err.detail || err.title : String(err);
			const reason = err instanceof ApiError ? String(err.body.reason ?? 'server') : 'server';
			this.phase = { kind: 'refused', reason: reason as Refusal, detail };
		}
	}

	private async record(arrival: Arrival, result: DeskScan['result'], state: DeskScan['state'], id: string): Promise<void> {
		const now = Date.now();
		await deskDb.transaction('rw', deskDb.scans, deskDb.roster, async () => {
			await deskDb.scans.put({
				id,
				officer_id: arrival.officer_id,
				accreditation_id: arrival.accreditation_id,
				name: arrival.name,
				country: arrival.country,
				scanned_at: arrival.scanned_at.toISOString(),
				checked_in_at: new Date(now).toISOString(),
				result,
				state,
				verify_ms: arrival.verified_at.getTime() - arrival.scanned_at.getTime(),
				total_ms: result === 'checked_in' ? now - arrival.scanned_at.getTime() : 0
			});
			await deskDb.roster.update(arrival.officer_id, { status: 'arrived' });
		});
	}

	/** A phone for an officer already in (no code came with the check-in): a fresh single-use code. */
	async enroll(): Promise<void> {
		if (this.phase.kind !== 'done') return;
		const done = this.phase;
		try {
			const enrollment = await api<Enrollment>(`/api/officers/${done.arrival.officer_id}/enrollment`, {
				method: 'POST',
				token: app.session?.token
			});
			this.phase = { ...done, enrollment, enrollError: null };
		} catch (err) {
			this.phase = { ...done, enrollError: err instanceof NetworkError ? 'offline' : err instanceof Error ? err.message : String(err) };
		}
	}

	next(): void {
		this.phase = { kind: 'idle' };
	}
}
