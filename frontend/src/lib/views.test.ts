import { describe, expect, it } from 'vitest';
import { pickLocale, translate } from './i18n/messages';
import { formatRange, parisDayKey } from './time';
import { byDay, joinShifts, nextShift, sortNotices, telHref, unreadCount } from './views';

const venue = { id: 'v1', name: 'Stade de France', address: 'Saint-Denis', meeting_point: 'Gate A' };
function shift(id: string, start: string, end: string) {
	return { id, venue_id: 'v1', starts_at: start, ends_at: end, task: 'Patrol', contact_name: 'X', contact_phone: '+33 1' };
}
function assignment(id: string, shiftId: string, status = 'assigned') {
	return { id, status, shift_id: shiftId, officer_id: 'u', checked_in_at: null, checked_out_at: null };
}

describe('what the screens show', () => {
	const shifts = [shift('s2', '2026-07-27T05:00:00Z', '2026-07-27T13:00:00Z'), shift('s1', '2026-07-26T05:00:00Z', '2026-07-26T13:00:00Z')];
	const items = joinShifts([assignment('a2', 's2'), assignment('a1', 's1'), assignment('a3', 'missing')], shifts, [venue]);

	it('joins assignments with shifts and venues, soonest first', () => {
		expect(items.map((i) => i.shift.id)).toEqual(['s1', 's2']);
		expect(items[0].venue?.name).toBe('Stade de France');
	});

	it("shows only the person's own shifts (a delegation lead also holds its contingent's)", () => {
		const colleague = { ...assignment('a9', 's2'), officer_id: 'someone-else' };
		const mine = joinShifts([assignment('a1', 's1'), colleague], shifts, [venue], 'u');
		expect(mine.map((i) => i.assignment.id)).toEqual(['a1']);
	});

	it('the next shift is the one under way, else the next to start', () => {
		expect(nextShift(items, new Date('2026-07-26T06:00:00Z'))?.shift.id).toBe('s1');
		expect(nextShift(items, new Date('2026-07-26T14:00:00Z'))?.shift.id).toBe('s2');
		expect(nextShift(items, new Date('2026-07-28T00:00:00Z'))).toBeNull();
	});

	it('groups by Paris day: 23:30 UTC is already tomorrow in Paris', () => {
		expect(parisDayKey('2026-07-26T23:30:00Z')).toBe('2026-07-27');
		const days = byDay(items, new Date('2026-07-26T08:00:00Z'), 3);
		expect(days.map((d) => [d.day, d.items.length])).toEqual([
			['2026-07-26', 1],
			['2026-07-27', 1],
			['2026-07-28', 0]
		]);
	});

	it('keeps every calendar day across the switch to summer time', () => {
		// 23:30 in Paris on 27 March 2026; the night of 28 to 29 March has 23 hours.
		const days = byDay([], new Date('2026-03-27T22:30:00Z'), 4).map((d) => d.day);
		expect(days).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30']);
	});

	it('shows times in Paris whatever the phone says', () => {
		expect(formatRange('2026-07-26T05:00:00Z', '2026-07-26T13:00:00Z', 'fr')).toBe('07:00–15:00');
		expect(formatRange('2026-01-10T06:00:00Z', '2026-01-10T14:00:00Z', 'en')).toBe('07:00–15:00');
	});

	it('orders notices newest first and counts those awaiting an acknowledgement', () => {
		const notices = [
			{ id: '1', title: 'a', body: '', priority: 'info' as const, created_at: '2026-07-25T10:00:00Z', requires_ack: true, acknowledged_at: null },
			{ id: '2', title: 'b', body: '', priority: 'urgent' as const, created_at: '2026-07-26T10:00:00Z', requires_ack: true, acknowledged_at: '2026-07-26T11:00:00Z' },
			{ id: '3', title: 'c', body: '', priority: 'info' as const, created_at: '2026-07-24T10:00:00Z', requires_ack: false }
		];
		expect(sortNotices(notices).map((n) => n.id)).toEqual(['2', '1', '3']);
		expect(unreadCount(notices)).toBe(1);
	});

	it('dials the contact from a formatted number', () => {
		expect(telHref('+33 (0)1 23-45')).toBe('tel:+3301234' + '5');
	});
});

describe('languages', () => {
	it('picks a supported language from the phone or the account', () => {
		expect(pickLocale('pt-BR')).toBe('pt');
		expect(pickLocale('he', 'ar_MA')).toBe('ar');
		expect(pickLocale('ja', undefined)).toBe('en');
	});

	it('fills placeholders and falls back to the English msgid', () => {
		expect(translate({ 'Hello, {name}': 'Bonjour, {name}' }, 'Hello, {name}', { name: 'Anna' })).toBe('Bonjour, Anna');
		expect(translate({}, 'Unread notices: {count}', { count: 3 })).toBe('Unread notices: 3');
	});
});
