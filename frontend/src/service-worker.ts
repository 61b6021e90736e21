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
 */
import { build, files, version } from '$service-worker';

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
}

sw.addEventListener('push', (event) => {
	let payload: PushPayload = {};
	try {
		payload = (event.data?.json() ?? {}) as PushPayload;
	} catch {
		payload = { body: event.data?.text() };
	}
	const urgent = payload.type === 'alert_level';
	// One alert-level notification at a time (a newer level replaces the older); others stack per item.
	const tag = urgent ? 'alert-level' : `${payload.type ?? 'message'}:${payload.id ?? payload.sent_at ?? Date.now()}`;
	event.waitUntil(
		(async () => {
			await sw.registration.showNotification(payload.title || 'Liaison', {
				body: payload.body ?? '',
				tag,
				icon: '/icons/icon-192.png',
				badge: '/icons/favicon-32.png',
				data: { url: payload.url || '/today' },
				requireInteraction: urgent,
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
			for (const client of windows) {
				if ('focus' in client) {
					await client.focus();
					await (client as WindowClient).navigate(target.href).catch(() => undefined);
					client.postMessage({ type: 'sync' });
					return;
				}
			}
			await sw.clients.openWindow(target.href);
		})()
	);
});
