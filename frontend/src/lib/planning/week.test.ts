import { describe, expect, it } from 'vitest';
import { addDays, fromParisInput, mondayOf, parisMidnight, shiftCoverage, toParisInput } from './week';
import type { HourCoverage, PlannedShift } from './api';

const hour = (iso: string, extra: Partial<HourCoverage> = {}): HourCoverage => ({
	starts_at: iso,
	needed: 2,
	planned: 2,
	languages: {},
	missing_languages: [],
	short: 0,
	gap: false,
	...extra
});

const shift = (extra: Partial<PlannedShift> = {}): PlannedShift => ({
	id: 's',
	venue_id: 'v',
	starts_at: '2024-07-26T08:00:00Z',
	ends_at: '2024-07-26T10:00:00Z',
	task: 'Patrol',
	headcount: 2,
	contact_name: '',
	contact_phone: '',
	languages: [],
	notes: '',
	assigned: 2,
	...extra
});

describe('the Paris week', () => {
	it('starts on Monday at Paris midnight, summer and winter', () => {
		expect(mondayOf('2024-07-28')).toBe('2024-07-22');
		expect(mondayOf('2024-07-22')).toBe('2024-07-22');
		expect(parisMidnight('2024-07-26').toISOString()).toBe('2024-07-25T22:00:00.000Z');
		expect(parisMidnight('2024-12-02').toISOString()).toBe('2024-12-01T23:00:00.000Z');
		expect(addDays('2024-10-27', 1)).toBe('2024-10-28');
	});

	it('reads and writes Paris wall time across the autumn clock change', () => {
		expect(fromParisInput('2024-10-27T12:00')).toBe('2024-10-27T11:00:00.000Z');
		expect(fromParisInput('2024-07-26T08:30')).toBe('2024-07-26T06:30:00.000Z');
		expect(toParisInput('2024-07-26T06:30:00Z')).toBe('2024-07-26T08:30');
	});
});

describe('coverage colours', () => {
	it('is short before it is a language gap', () => {
		const hours = [hour('2024-07-26T08:00:00Z', { missing_languages: ['de'] })];
		expect(shiftCoverage(shift({ assigned: 1 }), hours)).toEqual({ status: 'short', short: 1, missing: ['de'] });
		expect(shiftCoverage(shift(), hours).status).toBe('language');
		// An hour after the shift does not colour it.
		expect(shiftCoverage(shift(), [hour('2024-07-26T10:00:00Z', { missing_languages: ['de'] })]).status).toBe('ok');
	});
});
