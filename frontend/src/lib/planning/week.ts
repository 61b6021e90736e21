/** The planner's week: Monday to Sunday in Paris time, and the coverage colour of each hour and shift. */
import { EVENT_ZONE, parisDayKey } from '$lib/time';
import type { HourCoverage, PlannedShift } from './api';

/** Minutes Paris is ahead of UTC at an instant (60 in winter, 120 in summer). */
function parisOffset(instant: number): number {
	const name = new Intl.DateTimeFormat('en-US', { timeZone: EVENT_ZONE, timeZoneName: 'longOffset' })
		.formatToParts(new Date(instant))
		.find((p) => p.type === 'timeZoneName')?.value;
	const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
	return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** The instant a Paris calendar day (`2024-07-26`) starts, whatever the browser's own zone. */
export function parisMidnight(dayKey: string): Date {
	const [y, m, d] = dayKey.split('-').map(Number);
	const guess = Date.UTC(y, m - 1, d);
	let instant = guess - parisOffset(guess) * 60_000;
	// On the night the clocks change the offset at midnight differs from the one a few hours off.
	instant = guess - parisOffset(instant) * 60_000;
	return new Date(instant);
}

export function addDays(dayKey: string, days: number): string {
	const [y, m, d] = dayKey.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Monday of the Paris week holding `dayKey`. */
export function mondayOf(dayKey: string): string {
	const [y, m, d] = dayKey.split('-').map(Number);
	const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
	return addDays(dayKey, -weekday);
}

export function weekDays(monday: string): string[] {
	return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

export function thisMonday(now: Date = new Date()): string {
	return mondayOf(parisDayKey(now));
}

export type Status = 'none' | 'short' | 'language' | 'ok';

export function hourStatus(hour: HourCoverage): Status {
	if (!hour.needed) return 'none';
	if (hour.short) return 'short';
	if (hour.missing_languages.length) return 'language';
	return 'ok';
}

export interface ShiftCoverage {
	status: Exclude<Status, 'none'>;
	short: number;
	missing: string[];
}

/** A shift is short when fewer officers are assigned than it needs; else amber when, during it, no officer
 *  on duty at the venue speaks a language the venue expects. */
export function shiftCoverage(shift: PlannedShift, hours: HourCoverage[]): ShiftCoverage {
	const short = Math.max(0, shift.headcount - (shift.assigned ?? 0));
	const start = Date.parse(shift.starts_at);
	const end = Date.parse(shift.ends_at);
	const missing = new Set<string>();
	for (const hour of hours) {
		const at = Date.parse(hour.starts_at);
		if (at + 3_600_000 > start && at < end) hour.missing_languages.forEach((l) => missing.add(l));
	}
	const status = short ? 'short' : missing.size ? 'language' : 'ok';
	return { status, short, missing: [...missing].sort() };
}

/** `<input type="datetime-local">` value (Paris wall time) ⇄ ISO instant with offset. */
export function toParisInput(iso: string): string {
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone: EVENT_ZONE,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(new Date(iso));
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
	return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

export function fromParisInput(value: string): string {
	const [day, time] = value.split('T');
	const [h, min] = (time ?? '00:00').split(':').map(Number);
	const midnight = parisMidnight(day);
	const guess = midnight.getTime() + (h * 60 + min) * 60_000;
	// Correct for a clock change between midnight and that hour.
	const shift = (parisOffset(midnight.getTime()) - parisOffset(guess)) * 60_000;
	return new Date(guess + shift).toISOString();
}
