import { describe, expect, it } from 'vitest';
import { servedLanguage } from './content';
import { isoToParisLocal, parisToIso } from './paris';
import { SseParser } from './sse';

describe('servedLanguage', () => {
	it('serves the reader language, then English, then French, then the first written', () => {
		expect(servedLanguage(['en', 'de'], 'de')).toBe('de');
		expect(servedLanguage(['en', 'fr'], 'de')).toBe('en');
		expect(servedLanguage(['fr', 'it'], 'de')).toBe('fr');
		expect(servedLanguage(['it', 'es'], 'de')).toBe('it');
		expect(servedLanguage(['pt-BR', 'en'], 'pt')).toBe('pt-BR');
		expect(servedLanguage([], 'de')).toBeNull();
	});
});

describe('Paris wall time', () => {
	it('carries the summer and winter offsets', () => {
		expect(parisToIso('2024-07-26T18:00')).toBe('2024-07-26T18:00:00+02:00');
		expect(parisToIso('2024-12-01T08:30')).toBe('2024-12-01T08:30:00+01:00');
		expect(parisToIso('')).toBeNull();
		expect(isoToParisLocal(new Date('2024-07-26T16:00:00Z'))).toBe('2024-07-26T18:00');
	});
});

describe('SseParser', () => {
	it('assembles events across chunks and skips keep-alive comments', () => {
		const parser = new SseParser();
		expect(parser.push('event: ack\ndata: {"id":')).toEqual([]);
		expect(parser.push('"x"}\n\n: keep-alive\n\nevent: alert_level\r\ndata: {}\r\n\r\n')).toEqual([
			{ event: 'ack', data: '{"id":"x"}', id: undefined },
			{ event: 'alert_level', data: '{}', id: undefined }
		]);
	});
});
