/** Wall-clock times typed in the console are Paris times, whatever the laptop's own zone. */
import { EVENT_ZONE } from '$lib/time';

/** Minutes Paris is ahead of UTC at an instant (60 in winter, 120 in summer). */
function parisOffset(at: Date): number {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone: EVENT_ZONE,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit'
	}).formatToParts(at);
	const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
	return Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

function pad(n: number): string {
	return String(n).padStart(2, '0');
}

/** `2024-07-26T18:00` (Paris) → `2024-07-26T18:00:00+02:00`; null for an empty or malformed value. */
export function parisToIso(local: string): string | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
	if (!m) return null;
	const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
	// Two passes settle the offset across a summer-time switch.
	let offset = parisOffset(new Date(wall));
	offset = parisOffset(new Date(wall - offset * 60_000));
	const sign = offset >= 0 ? '+' : '-';
	const abs = Math.abs(offset);
	return `${local}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An instant as the value of a datetime-local field, in Paris time. */
export function isoToParisLocal(at: Date): string {
	const shifted = new Date(at.getTime() + parisOffset(at) * 60_000);
	return shifted.toISOString().slice(0, 16);
}
