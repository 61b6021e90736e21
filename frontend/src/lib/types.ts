/** Shapes of the API objects the PWA keeps (see CONTRACT.md: sync `data` is the REST object). */

export type Role = 'officer' | 'delegation_lead' | 'desk' | 'coordinator' | 'admin';

export interface Me {
	id: string;
	name: string;
	role: Role;
	country: string | null;
	country_name?: string | null;
	locale: string;
	accreditation_id: string | null;
	status: string;
	email?: string | null;
	rank?: string | null;
	dir?: 'ltr' | 'rtl';
}

export interface Venue {
	id: string;
	name: string;
	kind?: string;
	address: string;
	city?: string;
	latitude?: number;
	longitude?: number;
	meeting_point: string;
	map_url?: string;
}

export interface Shift {
	id: string;
	venue_id: string;
	starts_at: string;
	ends_at: string;
	task: string;
	headcount?: number;
	contact_name: string;
	contact_phone: string;
	languages?: string[];
	notes?: string;
}

export interface Assignment {
	id: string;
	status: string;
	shift_id: string;
	officer_id: string;
	checked_in_at: string | null;
	checked_out_at: string | null;
}

export type AlertLevelName = 'vigilance' | 'heightened' | 'emergency';

export interface AlertLevel {
	level: AlertLevelName;
	label: string;
	instructions: string;
	changed_at: string;
	/** A running exercise, kept apart from the real level. */
	drill?: { level: AlertLevelName; label: string; instructions: string; lang: string; started_at: string } | null;
}

export interface Notice {
	id: string;
	title: string;
	body: string;
	lang?: string;
	/** 'machine' when the served language was machine-translated. */
	source?: 'human' | 'machine';
	priority: 'info' | 'important' | 'urgent';
	requires_ack?: boolean;
	acknowledged_at?: string | null;
	created_at?: string;
	published_at?: string;
}

/** A shift as the screens show it: the officer's assignment joined with its shift and venue. */
export interface MyShift {
	assignment: Assignment;
	shift: Shift;
	venue: Venue | null;
}

export interface TokenOut {
	access_token: string;
	token_type: string;
	expires_in: number;
	user: Me;
}
