/** The officer's signed accreditation, kept in IndexedDB so the QR shows with no network. */
import { api } from './api';
import { getMeta, setMeta } from './db';

export interface Accreditation {
	accreditation_id: string;
	token: string;
	issued_at: string;
	expires_at: string;
	holder: { name: string; country: string | null; country_name: string | null; rank: string | null };
	user_id?: string;
}

// A fresh token when it is a day old or expires within three days, whenever the network allows.
const REFRESH_AFTER_MS = 24 * 3600_000;
const RENEW_BEFORE_MS = 3 * 24 * 3600_000;

function stale(a: Accreditation): boolean {
	const now = Date.now();
	return now - Date.parse(a.issued_at) > REFRESH_AFTER_MS || Date.parse(a.expires_at) - now < RENEW_BEFORE_MS;
}

/** The cached accreditation of this user, refreshed first when due and possible; null when there is none. */
export async function accreditation(userId: string | undefined, token: string | undefined): Promise<Accreditation | null> {
	const cached = await getMeta<Accreditation>('accreditation');
	let card = cached && cached.user_id === userId ? cached : null;
	if (token && (!card || stale(card))) {
		try {
			card = { ...(await api<Accreditation>('/api/me/accreditation', { token })), user_id: userId };
			await setMeta('accreditation', card);
		} catch {
			// Offline or refused: the cached code (if any) stays.
		}
	}
	return card;
}
