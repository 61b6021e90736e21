/** The planner's calls to the API: shifts, coverage, assignments and their dry run, officers, roster import. */
import { api, ApiError, problem } from '$lib/api';
import { app } from '$lib/app.svelte';

export interface Venue {
	id: string;
	name: string;
	kind: string;
	languages: string[];
}

export interface PlannedShift {
	id: string;
	venue_id: string;
	starts_at: string;
	ends_at: string;
	task: string;
	headcount: number;
	contact_name: string;
	contact_phone: string;
	languages: string[];
	notes: string;
	assigned: number | null;
	venue?: Venue | null;
}

export interface ShiftInput {
	venue_id?: string;
	starts_at?: string;
	ends_at?: string;
	task?: string;
	headcount?: number;
	contact_name?: string;
	contact_phone?: string;
	languages?: string[];
	notes?: string;
}

export interface HourCoverage {
	starts_at: string;
	needed: number;
	planned: number;
	languages: Record<string, number>;
	missing_languages: string[];
	short: number;
	gap: boolean;
}

export interface VenueCoverage {
	venue_id: string;
	name: string;
	expected_languages: string[];
	gaps: number;
	hours: HourCoverage[];
}

export interface PlannedAssignment {
	id: string;
	status: string;
	shift_id: string;
	officer_id: string;
	officer_name: string | null;
	country: string | null;
	languages: string[];
}

export type Reason = 'overlap' | 'rest_time' | 'not_available' | 'full' | 'already_assigned' | 'not_found' | 'checked_in';

export interface CheckResult {
	officer_id: string;
	ok: boolean;
	reason?: Reason;
	detail?: string;
	conflicting_shift_id?: string;
}

export interface Officer {
	id: string;
	name: string;
	country: string | null;
	accreditation_id: string | null;
	status: string;
	languages: string[];
	rank: string | null;
	arrival: string | null;
	departure: string | null;
}

export interface Country {
	code: string;
	name: string;
	languages: string[];
	officers: number;
}

export interface Page<T> {
	items: T[];
	limit: number;
	offset: number;
	total: number;
}

export interface ImportReport {
	created: number;
	updated: number;
	unchanged: number;
	errors: { line: number; field: string; message: string }[];
	ignored_columns: string[];
}

function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
	// The account's language answers first on the server; Accept-Language covers a language chosen here.
	return api<T>(path, { method, body, token: app.session?.token, headers: { 'accept-language': app.i18n.locale } });
}

function query(params: Record<string, string | number | null | undefined>): string {
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
	return search.toString();
}

export const planner = {
	venues: () => call<Page<Venue>>('/api/venues?limit=500'),
	countries: () => call<Page<Country>>('/api/countries?limit=500'),
	shifts: (venue: string, from: string, to: string) =>
		call<Page<PlannedShift>>(`/api/shifts?${query({ venue, from, to, limit: 1000 })}`),
	shift: (id: string) => call<PlannedShift>(`/api/shifts/${id}`),
	coverage: (venue: string, from: string, to: string) =>
		call<{ venues: VenueCoverage[] }>(`/api/coverage?${query({ venue, from, to })}`),
	createShift: (input: ShiftInput) => call<PlannedShift>('/api/shifts', 'POST', input),
	updateShift: (id: string, input: ShiftInput) => call<PlannedShift>(`/api/shifts/${id}`, 'PATCH', input),
	cancelShift: (id: string) => call<void>(`/api/shifts/${id}`, 'DELETE'),
	assignments: (shift: string) => call<Page<PlannedAssignment>>(`/api/shifts/${shift}/assignments?limit=1000`),
	check: (shift: string, officerIds: string[]) =>
		call<{ results: CheckResult[] }>(`/api/shifts/${shift}/assignments/check`, 'POST', { officer_ids: officerIds }),
	assign: (shift: string, officerId: string) =>
		call<PlannedAssignment>(`/api/shifts/${shift}/assignments`, 'POST', { officer_id: officerId }),
	unassign: (assignment: string) => call<void>(`/api/assignments/${assignment}`, 'DELETE'),
	move: (assignment: string, shift: string) =>
		call<PlannedAssignment>(`/api/assignments/${assignment}/move`, 'POST', { shift_id: shift }),
	officers: (filters: { q?: string; country?: string; language?: string; status?: string; limit?: number; offset?: number }) =>
		call<Page<Officer>>(`/api/officers?${query(filters)}`)
};

/**
 * Uploads a roster with upload progress (fetch cannot report it), then waits for the server's report.
 * `onProgress(fraction)` goes 0 → 1 while sending; null once the server is checking the lines.
 */
export function importRoster(file: File, onProgress: (fraction: number | null) => void): Promise<ImportReport> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', '/api/officers/import');
		xhr.setRequestHeader('accept', 'application/json');
		xhr.setRequestHeader('accept-language', app.i18n.locale);
		if (app.session?.token) xhr.setRequestHeader('authorization', `Bearer ${app.session.token}`);
		xhr.upload.onprogress = (event) => onProgress(event.lengthComputable ? event.loaded / event.total : 0);
		xhr.upload.onload = () => onProgress(null);
		xhr.onerror = () => reject(new TypeError('network'));
		xhr.onload = async () => {
			const response = new Response(xhr.responseText, { status: xhr.status });
			if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as ImportReport);
			else reject(await problem(response));
		};
		const form = new FormData();
		form.append('file', file);
		xhr.send(form);
	});
}

export { ApiError };
