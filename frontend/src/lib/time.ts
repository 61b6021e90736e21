/** Dates and times as the event runs them: Europe/Paris, whatever the phone's own zone. */

export const EVENT_ZONE = 'Europe/Paris';

function fmt(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	return new Intl.DateTimeFormat(locale, { timeZone: EVENT_ZONE, ...options });
}

export function formatTime(iso: string, locale: string): string {
	return fmt(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

export function formatDay(iso: string, locale: string): string {
	return fmt(locale, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(iso));
}

export function formatDateTime(iso: string, locale: string): string {
	return fmt(locale, {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).format(new Date(iso));
}

/** `2024-07-26` for the Paris calendar day of an instant: how the schedule groups shifts. */
export function parisDayKey(iso: string | Date): string {
	const d = typeof iso === 'string' ? new Date(iso) : iso;
	return fmt('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export function formatRange(startIso: string, endIso: string, locale: string): string {
	return `${formatTime(startIso, locale)}–${formatTime(endIso, locale)}`;
}
