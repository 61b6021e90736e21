/** Pure functions that turn synced records into what the screens show (unit-tested without a browser). */
import { parisDayKey } from './time';
import type { Assignment, MyShift, Notice, Shift, Venue } from './types';

/**
 * The signed-in person's own shifts. A delegation lead's phone also holds its contingent's assignments (for the
 * lead's overview): those are not the lead's schedule. `me` unknown yet (first sync under way): all of them.
 */
export function joinShifts(assignments: Assignment[], shifts: Shift[], venues: Venue[], me?: string | null): MyShift[] {
	const shiftById = new Map(shifts.map((s) => [s.id, s]));
	const venueById = new Map(venues.map((v) => [v.id, v]));
	const out: MyShift[] = [];
	for (const assignment of assignments) {
		if (assignment.status === 'cancelled' || assignment.status === 'unassigned') continue;
		if (me && assignment.officer_id !== me) continue;
		const shift = shiftById.get(assignment.shift_id);
		if (!shift) continue;
		out.push({ assignment, shift, venue: venueById.get(shift.venue_id) ?? null });
	}
	return out.sort((a, b) => a.shift.starts_at.localeCompare(b.shift.starts_at));
}

/** The shift under way, else the next one to start. */
export function nextShift(items: MyShift[], now: Date = new Date()): MyShift | null {
	const t = now.getTime();
	return items.find((i) => new Date(i.shift.ends_at).getTime() > t) ?? null;
}

export function isUnderWay(item: MyShift, now: Date = new Date()): boolean {
	const t = now.getTime();
	return new Date(item.shift.starts_at).getTime() <= t && t < new Date(item.shift.ends_at).getTime();
}

/** Fourteen Paris days from today, each with its shifts (days without one are kept: a day off is news too). */
export function byDay(items: MyShift[], now: Date = new Date(), days = 14): { day: string; items: MyShift[] }[] {
	// Count calendar days, not 24-hour steps: a 23-hour day at the start of summer time must not be skipped.
	const [y, m, d] = parisDayKey(now).split('-').map(Number);
	const out: { day: string; items: MyShift[] }[] = [];
	for (let i = 0; i < days; i++) {
		const key = new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10);
		out.push({ day: key, items: items.filter((s) => parisDayKey(s.shift.starts_at) === key) });
	}
	return out;
}

/** A Paris day key as an instant at Paris noon, for formatting the day's name. */
export function dayNoon(key: string): string {
	return `${key}T12:00:00+02:00`;
}

function noticeTime(n: Notice): string {
	return n.published_at ?? n.created_at ?? '';
}

export function sortNotices(notices: Notice[]): Notice[] {
	return [...notices].sort((a, b) => noticeTime(b).localeCompare(noticeTime(a)));
}

/** Unread: needs an acknowledgement that has not been given. */
export function unreadCount(notices: Notice[]): number {
	return notices.filter((n) => !n.acknowledged_at && n.requires_ack !== false).length;
}

export function telHref(phone: string): string {
	return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

export function mapHref(venue: Venue): string {
	if (venue.map_url) return venue.map_url;
	if (venue.latitude !== undefined && venue.longitude !== undefined) {
		return `https://www.openstreetmap.org/?mlat=${venue.latitude}&mlon=${venue.longitude}#map=17/${venue.latitude}/${venue.longitude}`;
	}
	return `https://www.openstreetmap.org/search?query=${encodeURIComponent(`${venue.name} ${venue.address}`)}`;
}
