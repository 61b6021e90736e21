/** The console's calls to the API, typed; every call carries the coordinator's token. */
import { api } from '$lib/api';
import { app } from '$lib/app.svelte';
import { db } from '$lib/db';
import type { AlertLevelName } from '$lib/types';

export type Kind = 'notice' | 'briefing';
export type Priority = 'info' | 'important' | 'urgent';

export interface Page<T> {
	items: T[];
	limit: number;
	offset: number;
	total: number;
}

export interface Drill {
	id: string;
	level: AlertLevelName;
	label: string;
	instructions: string;
	lang: string;
	started_at: string;
}

export interface CurrentAlert {
	level: AlertLevelName;
	label: string;
	instructions: string;
	changed_at: string | null;
	lang: string;
	drill: Drill | null;
}

export interface AlertChange {
	id: string;
	level: AlertLevelName;
	label: string;
	drill: boolean;
	reason: string;
	instructions: Record<string, string>;
	changed_at: string;
	changed_by: { id: string; name: string } | null;
	ended_at: string | null;
	ended_by: { id: string; name: string } | null;
}

export interface Reach {
	people: number;
	phones: number;
	push_subscriptions: number;
}

export interface Content {
	title: string;
	body: string;
	source: 'human' | 'machine';
}

export interface AudienceSpec {
	all?: boolean;
	countries?: string[];
	venues?: string[];
	officers?: string[];
	window?: { from: string; to: string };
}

export interface StaffNotice {
	id: string;
	kind: Kind;
	priority: Priority;
	requires_ack: boolean;
	title: string;
	body: string;
	lang: string;
	languages: string[];
	created_at: string;
	status: 'active' | 'cancelled' | 'superseded';
	ack_deadline: string | null;
	cancelled_at: string | null;
	cancel_reason: string | null;
	supersedes: string | null;
	superseded_by: string | null;
	escalation_of: string | null;
	venue_id: string | null;
	shift_id: string | null;
	date: string | null;
	audience: Record<string, unknown> | null;
	content: Record<string, Content> | null;
	audience_count: number | null;
	acknowledged_count: number | null;
}

export interface NoticeIn {
	content: Record<string, Content>;
	audience?: AudienceSpec;
	priority: Priority;
	requires_ack: boolean;
	ack_deadline?: string;
	supersedes?: string;
	venue_id?: string;
	shift_id?: string;
	date?: string;
}

export interface AudiencePreview {
	total: number;
	by_country: Record<string, number>;
	by_language: Record<string, number>;
}

export interface Count {
	audience: number;
	acknowledged: number;
	pending: number;
	name: string | null;
}

export interface Pending {
	id: string;
	name: string;
	country: string | null;
	venue_id: string | null;
	locale: string;
}

export interface Acknowledgements {
	notice_id: string;
	audience: number;
	acknowledged: number;
	pending_total: number;
	by_country: Record<string, Count>;
	by_venue: Record<string, Count>;
	pending: Pending[];
	limit: number;
	offset: number;
}

export interface Escalation {
	notice_id: string;
	notified: { country: string; lead_id: string; lead_name: string; pending: number }[];
	without_lead: string[];
}

export interface DeliveryReport {
	pushes: number;
	targeted: number;
	delivered: number;
	failed: number;
	gone: number;
	pending: number;
	first_queued_at: string | null;
	last_delivered_at: string | null;
}

export interface Country {
	code: string;
	name: string;
	languages?: string[];
}

export interface VenueRef {
	id: string;
	name: string;
	city?: string;
}

export interface OfficerRef {
	id: string;
	name: string;
	country: string | null;
	accreditation_id: string | null;
	locale: string;
}

export interface ShiftRef {
	id: string;
	venue_id: string;
	starts_at: string;
	ends_at: string;
	task: string;
}

function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
	return api<T>(path, { method, body, token: app.session?.token ?? null });
}

const base = (kind: Kind) => (kind === 'briefing' ? '/api/briefings' : '/api/notices');

export const consoleApi = {
	alert: () => call<CurrentAlert>('/api/alert-level'),
	reach: () => call<Reach>('/api/alert-level/reach'),
	history: (drill: boolean) => call<Page<AlertChange>>(`/api/alert-level/history?drill=${drill}&limit=20`),
	changeAlert: (body: { level: AlertLevelName; reason: string; instructions: Record<string, string>; drill: boolean }) =>
		call<CurrentAlert>('/api/alert-level', 'PUT', body),
	endDrill: () => call<CurrentAlert>('/api/alert-level/drill', 'DELETE'),

	notices: (kind: Kind) => call<Page<StaffNotice>>(`${base(kind)}?limit=100`),
	notice: (kind: Kind, id: string) => call<StaffNotice>(`${base(kind)}/${id}`),
	send: (kind: Kind, body: NoticeIn) => call<StaffNotice>(base(kind), 'POST', body),
	cancel: (kind: Kind, id: string, reason: string) => call<StaffNotice>(`${base(kind)}/${id}/cancel`, 'POST', { reason }),
	audience: (kind: Kind, body: Omit<NoticeIn, 'content' | 'priority' | 'requires_ack'>) =>
		call<AudiencePreview>(`${base(kind)}/audience`, 'POST', body),
	acknowledgements: (kind: Kind, id: string, limit = 100) =>
		call<Acknowledgements>(`${base(kind)}/${id}/acknowledgements?limit=${limit}`),
	escalate: (kind: Kind, id: string) => call<Escalation>(`${base(kind)}/${id}/escalate`, 'POST'),
	delivery: (kind: Kind, id: string) =>
		call<DeliveryReport>(`/api/push/report?kind=${kind}&ref_id=${encodeURIComponent(id)}`),

	countries: () => call<Country[] | Page<Country>>('/api/countries?limit=200'),
	venues: () => call<VenueRef[] | Page<VenueRef>>('/api/venues?limit=200'),
	officer: (id: string) => call<OfficerRef>(`/api/officers/${id}`),
	officers: (q: string) => call<Page<OfficerRef>>(`/api/officers?q=${encodeURIComponent(q)}&limit=20`),
	shifts: (venue: string, from: string, to: string) =>
		call<ShiftRef[] | Page<ShiftRef>>(
			`/api/shifts?venue=${venue}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=200`
		)
};

/** Lists come paginated (`items`) or bare: the console reads both. */
export function itemsOf<T>(value: T[] | Page<T>): T[] {
	return Array.isArray(value) ? value : value.items;
}

/**
 * The banner every screen shows reads the synced `alert_level` record; a coordinator's first sync can take
 * a while (every assignment), so the console stores the level it has just read (the same object sync sends).
 */
export async function rememberAlert(view: CurrentAlert): Promise<void> {
	await db.records.put({ entity: 'alert_level', id: 'current', data: view as unknown as Record<string, unknown> });
}
