/** Names and dates for the desk and dashboards, from the browser's own CLDR data (offline too). */

export function countryName(code: string | null | undefined, locale: string, fallback?: string | null): string {
	if (!code) return fallback ?? '';
	try {
		return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? fallback ?? code;
	} catch {
		return fallback ?? code;
	}
}

/** A calendar date (`2024-07-24`, no time or zone) as the reader writes it. */
export function formatDate(day: string, locale: string, style: 'long' | 'short' = 'long'): string {
	const options: Intl.DateTimeFormatOptions =
		style === 'long' ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: 'numeric', month: 'short' };
	return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** Days from the planned arrival to the Paris day of `now`: positive when late, negative when early. */
export function daysFromPlan(planned: string, now: Date = new Date()): number {
	const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
	return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${planned}T00:00:00Z`)) / 86_400_000);
}

/** An instant in Paris time to the second: two desks' scans are often within the same minute. */
export function formatInstant(iso: string, locale: string): string {
	return new Intl.DateTimeFormat(locale, {
		timeZone: 'Europe/Paris',
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		hourCycle: 'h23'
	}).format(new Date(iso));
}
