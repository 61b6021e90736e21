/** Web Push on this phone: ask permission, subscribe with the server's VAPID key, tell the server, keep it so. */
import { api, ApiError } from './api';
import {
	decidePush,
	describe,
	sameKey,
	subscribeAfresh,
	subscriptionBody,
	type HeldSubscription,
	type PushAction
} from './push-subscription';

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

export function pushSupported(): boolean {
	return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function pushState(): Promise<PushState> {
	if (!pushSupported()) return 'unsupported';
	if (Notification.permission === 'denied') return 'denied';
	const registration = await navigator.serviceWorker.getRegistration();
	const subscription = await registration?.pushManager.getSubscription();
	return subscription && Notification.permission === 'granted' ? 'on' : 'off';
}

async function vapidKey(token: string): Promise<string> {
	return (await api<{ public_key: string }>('/api/push/vapid-public-key', { token })).public_key;
}

async function held(token: string): Promise<HeldSubscription | null> {
	try {
		return await api<HeldSubscription>('/api/push/subscriptions/current', { token });
	} catch (err) {
		if (err instanceof ApiError && err.status === 404) return null;
		throw err;
	}
}

async function send(token: string, subscription: PushSubscription, oldEndpoint?: string | null): Promise<void> {
	await api('/api/push/subscriptions', { method: 'POST', token, body: subscriptionBody(subscription, oldEndpoint) });
}

export async function enablePush(token: string): Promise<PushState> {
	if (!pushSupported()) return 'unsupported';
	const permission = await Notification.requestPermission();
	if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
	const publicKey = await vapidKey(token);
	const registration = await navigator.serviceWorker.ready;
	let subscription = await registration.pushManager.getSubscription();
	// A subscription made with another key (the server's key was rotated) would never deliver.
	if (!subscription || !sameKey(subscription.options.applicationServerKey, publicKey)) {
		subscription = await subscribeAfresh(registration.pushManager, publicKey);
	}
	await send(token, subscription, (await held(token))?.endpoint);
	return 'on';
}

/**
 * On opening the app: is this phone's subscription still the one the server pushes to? Renews it after an
 * expiry, a lost subscription or a VAPID key change, and re-sends it when the server dropped it (a 410).
 * Never asks for permission: with notifications not granted, it does nothing.
 */
export async function checkPush(token: string): Promise<PushAction> {
	if (!pushSupported() || Notification.permission !== 'granted') return 'off';
	const registration = await navigator.serviceWorker.ready;
	const subscription = await registration.pushManager.getSubscription();
	const [publicKey, server] = await Promise.all([vapidKey(token), held(token)]);
	const action = decidePush(subscription ? describe(subscription) : null, server, publicKey);
	if (action === 'renew') await send(token, await subscribeAfresh(registration.pushManager, publicKey), server?.endpoint);
	else if (action === 'send' && subscription) await send(token, subscription, server?.endpoint);
	return action;
}

export async function disablePush(token: string | null): Promise<PushState> {
	if (!pushSupported()) return 'unsupported';
	const registration = await navigator.serviceWorker.getRegistration();
	const subscription = await registration?.pushManager.getSubscription();
	if (subscription) {
		if (token) {
			await api('/api/push/subscriptions', { method: 'DELETE', token, body: { endpoint: subscription.endpoint } }).catch(
				() => undefined // the server drops dead endpoints itself on its next push (404/410)
			);
		}
		await subscription.unsubscribe();
	}
	return 'off';
}
