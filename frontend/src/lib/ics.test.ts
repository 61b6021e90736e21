import { describe, expect, it } from 'vitest';
import { escapeText, fold, shiftToIcs } from './ics';

const item = {
	assignment: { id: 'a1', status: 'assigned', shift_id: 's1', officer_id: 'u1', checked_in_at: null, checked_out_at: null },
	shift: {
		id: 's1',
		venue_id: 'v1',
		starts_at: '2026-07-26T05:00:00+00:00',
		ends_at: '2026-07-26T13:00:00+00:00',
		task: 'Crowd liaison',
		contact_name: 'Cdt Martin',
		contact_phone: '+33 1 00 00 00 00'
	},
	venue: { id: 'v1', name: 'Stade de France', address: 'Rue Henri Delaunay, 93200 Saint-Denis', meeting_point: 'Gate A', latitude: 48.924459, longitude: 2.360164 }
};

describe('add to calendar', () => {
	it('writes one VEVENT in UTC with the venue, escaped', () => {
		const ics = shiftToIcs(item, { summary: 'Crowd liaison — Stade de France', description: 'Meeting point: Gate A' }, new Date('2026-07-20T10:00:00Z'));
		expect(ics).toContain('BEGIN:VEVENT\r\n');
		expect(ics).toContain('DTSTART:20260726T050000Z\r\n');
		expect(ics).toContain('DTEND:20260726T130000Z\r\n');
		expect(ics).toContain('UID:shift-s1@liaison\r\n');
		expect(ics).toContain('LOCATION:Stade de France\\, Rue Henri Delaunay\\, 93200 Saint-Denis\r\n');
		expect(ics).toContain('GEO:48.924459;2.360164\r\n');
		expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
	});

	it('escapes TEXT and folds long lines without splitting a character', () => {
		expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
		const line = 'DESCRIPTION:' + 'é'.repeat(60);
		const folded = fold(line);
		for (const part of folded.split('\r\n')) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
		expect(folded.replace(/\r\n /g, '')).toBe(line);
	});
});
