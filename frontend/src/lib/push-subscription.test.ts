import { describe, expect, it } from 'vitest';
import { decidePush, keyBytes, sameKey, type BrowserSubscription } from './push-subscription';

const KEY = 'BPcMbnWQL5GOYX_5a8_4nsPKmuUjnp9bmrVsJ5IehVZ1FRpZHjAm-7amsdc_aBdpdsvpcVN9GQU8R8EHZ1ygQMU';
const OTHER = 'BMmmkyHFUcRh38Kfk3hdVLm3vRKOnwWIG-XSR-jcxY_Pi-xO1xzdjpg48B6zNV27rlVqHMUZiqQl4ZTYEnu2p1g';
const key = (b64: string) => keyBytes(b64).buffer;

function browser(over: Partial<BrowserSubscription> = {}): BrowserSubscription {
	return { endpoint: 'https://fcm.googleapis.com/wp/new', p256dh: 'BKey', expirationTime: null, applicationServerKey: key(KEY), ...over };
}

describe('keeping the phone subscribed where the server pushes', () => {
	it('does nothing when push was never turned on here', () => {
		expect(decidePush(null, null, KEY)).toBe('off');
	});

	it('keeps a subscription the server holds as it is', () => {
		expect(decidePush(browser(), { endpoint: 'https://fcm.googleapis.com/wp/new', p256dh: 'BKey' }, KEY)).toBe('ok');
	});

	it('subscribes again when the browser lost the subscription the server still pushes to', () => {
		expect(decidePush(null, { endpoint: 'https://fcm.googleapis.com/wp/old', p256dh: 'BKey' }, KEY)).toBe('renew');
	});

	it('subscribes again after the subscription expired', () => {
		const held = { endpoint: 'https://fcm.googleapis.com/wp/new', p256dh: 'BKey' };
		expect(decidePush(browser({ expirationTime: 1_000 }), held, KEY, 2_000)).toBe('renew');
		expect(decidePush(browser({ expirationTime: 3_000 }), held, KEY, 2_000)).toBe('ok');
	});

	it('subscribes again when the server signs with another VAPID key', () => {
		expect(decidePush(browser({ applicationServerKey: key(OTHER) }), null, KEY)).toBe('renew');
	});

	it('sends the subscription when the server has another endpoint, other keys or none', () => {
		expect(decidePush(browser(), { endpoint: 'https://fcm.googleapis.com/wp/old', p256dh: 'BKey' }, KEY)).toBe('send');
		expect(decidePush(browser(), { endpoint: 'https://fcm.googleapis.com/wp/new', p256dh: 'BOld' }, KEY)).toBe('send');
		expect(decidePush(browser(), null, KEY)).toBe('send');
	});

	it('compares VAPID keys byte for byte', () => {
		expect(sameKey(key(KEY), KEY)).toBe(true);
		expect(sameKey(key(OTHER), KEY)).toBe(false);
		expect(sameKey(null, KEY)).toBe(false);
	});
});
