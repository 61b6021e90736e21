/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
/**
 * The app shell offline, and notifications.
 * - install: precache the built app (hashed JS/CSS), the static files and the shell page `/`.
 * - fetch: the shell and assets from the cache; /api always goes to the network and is never cached here
 *   (data lives in IndexedDB, written by the page's sync engine).
 * - push / notificationclick: show what the server sent, open the screen it points to.
 * - pushsubscriptionchange: re-subscribe and tell the server which endpoint the new one replaces.
 */
import { build, files, version } from '$service-worker';
import { sameKey, subscribeAfresh, subscriptionBody } from '$lib/push-subscription';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `liaison-shell-${version}`;
const SHELL = '/';
const PRECACHE = [SHELL, ...build, ...files];

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			await cache.addAll(PRECACHE);
			await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

const PRECACHED = new Set(PRECACHE);

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	// The API: network only, straight through; an error reaches the page, which falls back to IndexedDB.
	if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/schema') || url.pathname === '/health') return;

	if (request.mode === 'navigate') {
		// Every deep link is the same single-page shell; the precached copy opens with no network at all.
		event.respondWith(
			(async () => {
				const cached = await caches.match(SHELL, { cacheName: CACHE });
				if (cached) return cached;
				return fetch(request);
			})()
		);
		return;
	}
	if (PRECACHED.has(url.pathname)) {
		event.respondWith(
			(async () => (await caches.match(url.pathname, { cacheName: CACHE })) ?? fetch(request))()
		);
	}
});

interface PushPayload {
	type?: 'alert_level' | 'assignment' | 'notice' | 'briefing' | 'reminder';
	title?: string;
	body?: string;
	url?: string;
	id?: string;
	sent_at?: string;
	tag?: string;
	urgency?: string;
}

sw.addEventListener('push', (event) => {
	let payload: PushPayload = {};
	try {
		payload = (event.data?.json() ?? {}) as PushPayload;
	} catch {
		payload = { body: event.data?.text() };
	}
	const alert = payload.type === 'alert_level';
	const urgent = alert || payload.urgency === 'high';
	// The server's tag collapses repeats (one alert-level notification, one per notice); older servers sent none.
	const tag =
		payload.tag || (alert ? 'alert-level' : `${payload.type ?? 'message'}:${payload.id ?? payload.sent_at ?? Date.now()}`);
	event.waitUntil(
		(async () => {
			await sw.registration.showNotification(payload.title || 'Liaison', {
				body: payload.body ?? '',
				tag,
				icon: '/icons/icon-192.png',
				badge: '/icons/favicon-32.png',
				data: { url: payload.url || '/today' },
				requireInteraction: alert,
				renotify: urgent,
				timestamp: payload.sent_at ? Date.parse(payload.sent_at) : Date.now()
			} as NotificationOptions);
			// Open pages pull the change now instead of at their next periodic sync.
			for (const client of await sw.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'sync' });
		})()
	);
});

sw.addEventListener('notificationclick', (event) => {
	event.notification.close();
	const target = new URL((event.notification.data?.url as string | undefined) ?? '/today', sw.location.origin);
	if (target.origin !== sw.location.origin) target.href = new URL('/today', sw.location.origin).href;
	event.waitUntil(
		(async () => {
			const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
			const open = windows.find((client) => 'navigate' in client) as WindowClient | undefined;
			if (open) {
				// Focus may be refused (no user gesture reached us); the app still goes to the right screen.
				await open.focus().catch(() => undefined);
				const moved = await open.navigate(target.href).catch(() => null);
				if (moved) return;
			}
			await sw.clients.openWindow(target.href);
		})()
	);
});

/** The signed-in session's token, read from the app's IndexedDB (`meta` table, written by lib/db.ts). */
async function storedToken(): Promise<string | null> {
	return new Promise((resolve) => {
		const opening = indexedDB.open('liaison');
		opening.onerror = () => resolve(null);
		opening.onsuccess = () => {
			const database = opening.result;
			if (!database.objectStoreNames.contains('meta')) return resolve(null);
			const read = database.transaction('meta', 'readonly').objectStore('meta').get('session');
			read.onsuccess = () => resolve((read.result?.value?.token as string | undefined) ?? null);
			read.onerror = () => resolve(null);
		};
	});
}

interface SubscriptionChangeEvent extends ExtendableEvent {
	oldSubscription?: PushSubscription | null;
	newSubscription?: PushSubscription | null;
}

// The push service replaced or expired the subscription: subscribe again with the server's key and tell the
// server which endpoint this one replaces. Without a session (signed out) there is nothing to renew; the app
// checks again when it opens (lib/push.ts checkPush).
sw.addEventListener('pushsubscriptionchange', (event) => {
	const change = event as SubscriptionChangeEvent;
	change.waitUntil(
		(async () => {
			const token = await storedToken();
			if (!token) return;
			const auth = { authorization: `Bearer ${token}`, accept: 'application/json' };
			const { public_key } = (await (await fetch('/api/push/vapid-public-key', { headers: auth })).json()) as {
				public_key: string;
			};
			const renewed =
				change.newSubscription && sameKey(change.newSubscription.options.applicationServerKey, public_key)
					? change.newSubscription
					: await subscribeAfresh(sw.registration.pushManager, public_key);
			await fetch('/api/push/subscriptions', {
				method: 'POST',
				headers: { ...auth, 'content-type': 'application/json' },
				body: JSON.stringify(subscriptionBody(renewed, change.oldSubscription?.endpoint))
			});
		})()
	);
});
