/** An iCalendar (RFC 5545) event for one shift, made on the phone so "add to calendar" works offline. */
import type { MyShift } from './types';

function stamp(iso: string | Date): string {
	const d = typeof iso === 'string' ? new Date(iso) : iso;
	return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Lines longer than 75 octets are folded with CRLF + space (§3.1), never inside a UTF-8 sequence. */
export function fold(line: string): string {
	const bytes = new TextEncoder();
	const out: string[] = [];
	let current = '';
	for (const ch of line) {
		const limit = out.length === 0 ? 75 : 74;
		if (bytes.encode(current + ch).length > limit) {
			out.push(current);
			current = ch;
		} else {
			current += ch;
		}
	}
	out.push(current);
	return out.join('\r\n ');
}

export interface IcsTexts {
	summary: string;
	description: string;
}

export function shiftToIcs(item: MyShift, texts: IcsTexts, now: Date = new Date()): string {
	const { shift, venue } = item;
	const location = venue ? [venue.name, venue.address].filter(Boolean).join(', ') : '';
	const lines = [
		'BEGIN:VCALENDAR',
		'VERSION:2.0',
		'PRODID:-//Liaison//PWA//EN',
		'CALSCALE:GREGORIAN',
		'METHOD:PUBLISH',
		'BEGIN:VEVENT',
		`UID:shift-${shift.id}@liaison`,
		`DTSTAMP:${stamp(now)}`,
		`DTSTART:${stamp(shift.starts_at)}`,
		`DTEND:${stamp(shift.ends_at)}`,
		`SUMMARY:${escapeText(texts.summary)}`,
		`LOCATION:${escapeText(location)}`,
		`DESCRIPTION:${escapeText(texts.description)}`
	];
	if (venue?.latitude !== undefined && venue?.longitude !== undefined) {
		lines.push(`GEO:${venue.latitude.toFixed(6)};${venue.longitude.toFixed(6)}`);
	}
	lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(texts.summary)}`, 'TRIGGER:-PT1H', 'END:VALARM');
	lines.push('END:VEVENT', 'END:VCALENDAR');
	return lines.map(fold).join('\r\n') + '\r\n';
}

export function downloadIcs(filename: string, content: string): void {
	const url = URL.createObjectURL(new Blob([content], { type: 'text/calendar;charset=utf-8' }));
	const a = document.createElement('a');
	a.href = url;
	a.download = filename;
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
