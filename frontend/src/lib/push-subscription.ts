/**
 * A phone's push subscription, kept in step with the server: shared by the page (lib/push.ts) and the
 * service worker (`pushsubscriptionchange`), so nothing here touches the DOM.
 */

export interface HeldSubscription {
	endpoint: string;
	p256dh: string;
}

/** What the browser has, reduced to what the decision needs. */
export interface BrowserSubscription {
	endpoint: string;
	p256dh: string | null;
	expirationTime: number | null;
	applicationServerKey: ArrayBuffer | null;
}

/**
 * What to do so that pushes reach this phone:
 * - `off`: nothing to keep (never turned on here);
 * - `ok`: the browser and the server hold the same, valid subscription;
 * - `send`: the browser's subscription is valid but the server lacks it (or holds an older one);
 * - `renew`: make a new subscription (the browser lost it, it expired, or the server's VAPID key changed).
 */
export type PushAction = 'off' | 'ok' | 'send' | 'renew';

export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const padded = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
	const raw = atob(padded);
	const bytes = new Uint8Array(new ArrayBuffer(raw.length));
	for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
	return bytes;
}

export function sameKey(current: ArrayBuffer | null, publicKey: string): boolean {
	if (!current) return false;
	const have = new Uint8Array(current);
	const want = keyBytes(publicKey);
	return have.length === want.length && have.every((b, i) => b === want[i]);
}

export function decidePush(
	browser: BrowserSubscription | null,
	held: HeldSubscription | null,
	publicKey: string,
	now: number = Date.now()
): PushAction {
	if (!browser) return held ? 'renew' : 'off';
	if (browser.expirationTime !== null && browser.expirationTime <= now) return 'renew';
	// A key the browser does not report (old browsers) is not a reason to throw a working subscription away.
	if (browser.applicationServerKey && !sameKey(browser.applicationServerKey, publicKey)) return 'renew';
	if (!held || held.endpoint !== browser.endpoint || (browser.p256dh && held.p256dh !== browser.p256dh)) return 'send';
	return 'ok';
}

export function describe(subscription: PushSubscription): BrowserSubscription {
	const json = subscription.toJSON();
	return {
		endpoint: subscription.endpoint,
		p256dh: json.keys?.p256dh ?? null,
		expirationTime: subscription.expirationTime ?? null,
		applicationServerKey: subscription.options?.applicationServerKey ?? null
	};
}

/** The body of `POST /api/push/subscriptions`; `oldEndpoint` names the subscription this one replaces. */
export function subscriptionBody(subscription: PushSubscription, oldEndpoint?: string | null): Record<string, unknown> {
	const json = subscription.toJSON();
	const body: Record<string, unknown> = {
		endpoint: json.endpoint,
		keys: { p256dh: json.keys?.p256dh, auth: json.keys?.auth },
		expirationTime: json.expirationTime ?? null
	};
	if (oldEndpoint && oldEndpoint !== json.endpoint) body.old_endpoint = oldEndpoint;
	return body;
}

/** A fresh subscription with the server's current VAPID key (any older one is dropped first). */
export async function subscribeAfresh(manager: PushManager, publicKey: string): Promise<PushSubscription> {
	const existing = await manager.getSubscription();
	if (existing) await existing.unsubscribe();
	return manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
}
