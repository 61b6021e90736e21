/** Web Push on this phone: ask permission, subscribe with the server's VAPID key, tell the server. */
import { api } from './api';

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

export function pushSupported(): boolean {
	return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const padded = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
	const raw = atob(padded);
	const bytes = new Uint8Array(new ArrayBuffer(raw.length));
	for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
	return bytes;
}

export async function pushState(): Promise<PushState> {
	if (!pushSupported()) return 'unsupported';
	if (Notification.permission === 'denied') return 'denied';
	const registration = await navigator.serviceWorker.getRegistration();
	const subscription = await registration?.pushManager.getSubscription();
	return subscription && Notification.permission === 'granted' ? 'on' : 'off';
}

export async function enablePush(token: string): Promise<PushState> {
	if (!pushSupported()) return 'unsupported';
	const permission = await Notification.requestPermission();
	if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
	const { public_key } = await api<{ public_key: string }>('/api/push/vapid-public-key', { token });
	const registration = await navigator.serviceWorker.ready;
	let subscription = await registration.pushManager.getSubscription();
	if (subscription) {
		// A subscription made with another key (the server's key was rotated) would never deliver.
		const current = subscription.options.applicationServerKey;
		const wanted = keyBytes(public_key);
		const same = current && new Uint8Array(current).every((b, i) => b === wanted[i]);
		if (!same) {
			await subscription.unsubscribe();
			subscription = null;
		}
	}
	subscription ??= await registration.pushManager.subscribe({
		userVisibleOnly: true,
		applicationServerKey: keyBytes(public_key)
	});
	const json = subscription.toJSON();
	await api('/api/push/subscriptions', {
		method: 'POST',
		token,
		body: { endpoint: json.endpoint, keys: { p256dh: json.keys?.p256dh, auth: json.keys?.auth } }
	});
	return 'on';
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
