/**
 * The app's state as small rune-based managers: the session, the language and what Dexie holds.
 * Screens read these fields; Dexie's liveQuery keeps them current when sync writes IndexedDB.
 */
import { liveQuery, type Subscription } from 'dexie';
import { api, ApiError } from './api';
import { db, getMeta, setMeta, type OutboxRow } from './db';
import { dirOf, loadCatalog, pickLocale, translate, type Catalog } from './i18n/messages';
import { SyncEngine, type SyncStatus } from './sync';
import type { AlertLevel, Assignment, Me, MyShift, Notice, Role, Shift, TokenOut, Venue } from './types';
import { joinShifts, sortNotices, unreadCount } from './views';

export interface Session {
	token: string;
	role: Role;
	userId: string;
}

const PERIODIC_SYNC_MS = 60_000;

export class I18n {
	locale = $state('en');
	catalog = $state<Catalog>({});

	// Gettext domains in use: the officer's app, plus each console's once it has been opened.
	#domains = new Set(['pwa']);

	t = (msgid: string, params?: Record<string, string | number>): string => translate(this.catalog, msgid, params);

	/** Loads a console's own strings (its domain) into the catalog, for this and every later language. */
	async need(domain: string): Promise<void> {
		if (this.#domains.has(domain)) return;
		this.#domains.add(domain);
		const locale = this.locale;
		const extra = await loadCatalog(locale, domain);
		if (this.locale === locale) this.catalog = { ...this.catalog, ...extra };
	}

	async use(locale: string): Promise<void> {
		const code = pickLocale(locale);
		let domains: string[];
		let parts: Catalog[];
		// A console may ask for its domain while this loads: load again until every domain asked for is in.
		do {
			domains = [...this.#domains];
			parts = await Promise.all(domains.map((domain) => loadCatalog(code, domain)));
		} while (domains.length !== this.#domains.size);
		this.catalog = Object.assign({}, ...parts);
		this.locale = code;
		if (typeof document !== 'undefined') {
			document.documentElement.lang = code;
			document.documentElement.dir = dirOf(code);
		}
	}
}

export class AppState {
	i18n = new I18n();
	ready = $state(false);
	session = $state<Session | null>(null);
	me = $state<Me | null>(null);
	shifts = $state<MyShift[]>([]);
	notices = $state<Notice[]>([]);
	alert = $state<AlertLevel | null>(null);
	outbox = $state<OutboxRow[]>([]);
	sync = $state<SyncStatus>({ online: true, syncing: false, lastSyncedAt: null, error: null });
	hasData = $state(false);
	/** Where the next sign-in lands instead of the role's home (a new phone: the welcome briefing). */
	landing: string | null = null;

	unread = $derived(unreadCount(this.notices));
	rejected = $derived(this.outbox.filter((m) => m.status === 'rejected'));
	pending = $derived(this.outbox.filter((m) => m.status === 'pending').length);
	isOfficer = $derived(this.session?.role === 'officer');

	engine = new SyncEngine({
		token: async () => this.session?.token ?? null,
		onUnauthorized: () => this.forget(),
		onStatus: (s) => (this.sync = s)
	});

	private subscriptions: Subscription[] = [];
	private timer: ReturnType<typeof setInterval> | undefined;

	async init(): Promise<void> {
		const session = (await getMeta<Session>('session')) ?? null;
		const storedLocale = await getMeta<string>('locale');
		await this.i18n.use(storedLocale ?? pickLocale(...(navigator.languages ?? [navigator.language])));
		this.session = session;
		await this.engine.init();
		this.watch();
		this.listen();
		this.ready = true;
		if (session) {
			void this.engine.sync();
			// Is this phone still subscribed where the server pushes? (expired, key changed, dropped after a 410)
			void import('./push').then((push) => push.checkPush(session.token)).catch(() => undefined);
		}
	}

	private watch(): void {
		const query = liveQuery(async () => {
			const rows = await db.records.toArray();
			const outbox = await db.outbox.orderBy('occurred_at').toArray();
			return { rows, outbox };
		});
		this.subscriptions.push(
			query.subscribe(({ rows, outbox }) => {
				const by = (entity: string) => rows.filter((r) => r.entity === entity).map((r) => r.data);
				const me = (by('me')[0] as unknown as Me | undefined) ?? null;
				this.me = me;
				this.shifts = joinShifts(
					by('assignment') as unknown as Assignment[],
					by('shift') as unknown as Shift[],
					by('venue') as unknown as Venue[],
					me?.id
				);
				// A notice and a briefing are both "things to read": one list, newest first.
				this.notices = sortNotices([
					...(by('notice') as unknown as Notice[]),
					...(by('briefing') as unknown as Notice[]).map((b) => ({ ...b, kind: 'briefing' }))
				]);
				this.alert = (rows.find((r) => r.entity === 'alert_level')?.data as unknown as AlertLevel) ?? null;
				this.outbox = outbox;
				this.hasData = rows.length > 0;
				// The account's language wins over the phone's once the server told us (unless chosen here).
				if (me?.locale) {
					void getMeta<string>('locale').then((chosen) => {
						if (!chosen && pickLocale(me.locale) !== this.i18n.locale) void this.i18n.use(me.locale);
					});
				}
			})
		);
	}

	private listen(): void {
		const kick = () => void this.engine.sync();
		window.addEventListener('online', kick);
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') kick();
		});
		// The service worker tells open pages when a push arrived: pull what it announced.
		navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
			if (event.data?.type === 'sync') kick();
		});
		window.addEventListener('offline', () => (this.sync = { ...this.sync, online: false }));
		this.timer = setInterval(kick, PERIODIC_SYNC_MS);
	}

	private async begin(out: TokenOut): Promise<void> {
		const session: Session = { token: out.access_token, role: out.user.role, userId: out.user.id };
		await db.transaction('rw', db.records, db.meta, db.outbox, async () => {
			await db.records.clear();
			await db.outbox.clear();
			await db.meta.bulkDelete(['cursor', 'etag', 'lastSyncedAt']);
			await db.records.put({ entity: 'me', id: out.user.id, data: out.user as unknown as Record<string, unknown> });
			await setMeta('session', session);
		});
		this.session = session;
		await this.engine.sync();
	}

	async join(code: string): Promise<void> {
		const device = `${navigator.platform || 'Phone'} · ${new Date().toISOString().slice(0, 10)}`;
		const out = await api<TokenOut>('/api/auth/enroll', {
			method: 'POST',
			body: { code: code.trim(), device_name: device.slice(0, 120) }
		});
		await this.begin(out);
	}

	async login(email: string, password: string): Promise<void> {
		await this.begin(await api<TokenOut>('/api/auth/login', { method: 'POST', body: { email, password } }));
	}

	/** Drop everything this phone knows about the account (sign-out, or the token was revoked). */
	async forget(): Promise<void> {
		this.session = null;
		await db.transaction('rw', db.records, db.meta, db.outbox, async () => {
			await db.records.clear();
			await db.outbox.clear();
			await db.meta.bulkDelete(['session', 'cursor', 'etag', 'lastSyncedAt', 'accreditation']);
		});
	}

	async signOut(): Promise<void> {
		const token = this.session?.token;
		if (token) {
			const { disablePush } = await import('./push');
			await disablePush(token).catch(() => undefined);
			await api('/api/auth/logout', { method: 'POST', token }).catch(() => undefined);
		}
		await this.forget();
	}

	async setLocale(code: string): Promise<void> {
		await setMeta('locale', code);
		await this.i18n.use(code);
		if (!this.session || !this.me) return;
		// Through the outbox: sent now when online, later when not; notifications follow the account's language.
		await this.engine.mutate('me.locale', { locale: code }, { entity: 'me', id: this.me.id, patch: { locale: code } });
		void this.engine.sync();
	}

	async acknowledge(notice: Notice & { kind?: string }): Promise<void> {
		const briefing = notice.kind === 'briefing';
		await this.engine.mutate(
			briefing ? 'briefing.ack' : 'notice.ack',
			briefing ? { briefing_id: notice.id } : { notice_id: notice.id },
			{ entity: briefing ? 'briefing' : 'notice', id: notice.id, patch: { acknowledged_at: new Date().toISOString() } }
		);
		void this.engine.sync();
	}

	async dismissRejected(id: string): Promise<void> {
		await db.outbox.delete(id);
	}

	destroy(): void {
		this.subscriptions.forEach((s) => s.unsubscribe());
		clearInterval(this.timer);
	}
}

export const app = new AppState();

export function errorText(err: unknown, t: (m: string) => string): string {
	if (err instanceof ApiError) return err.detail || err.title || t('Something went wrong. Please try again.');
	return t('No connection. Check your network and try again.');
}

export function homeFor(role: Role | undefined): string {
	if (!role) return '/join';
	return role === 'officer' ? '/today' : '/staff';
}
