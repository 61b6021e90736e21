/** Authored content (notices, instructions) in a reader's language, with the server's fallback chain. */

export const FALLBACK_CHAIN = ['en', 'fr'];

function base(tag: string): string {
	return tag.replace('_', '-').split('-')[0].toLowerCase();
}

/**
 * Which of the `available` languages a reader with `locale` is served: the reader's own language,
 * then English, then French, then the first written (as liaison.i18n.locales.content_language does).
 */
export function servedLanguage(available: string[], locale: string): string | null {
	if (!available.length) return null;
	for (const wish of [locale, ...FALLBACK_CHAIN]) {
		const exact = available.find((a) => a.toLowerCase() === wish.toLowerCase());
		if (exact) return exact;
		const sameBase = available.find((a) => base(a) === base(wish));
		if (sameBase) return sameBase;
	}
	return available[0];
}
