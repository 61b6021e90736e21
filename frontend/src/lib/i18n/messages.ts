/**
 * Interface strings: English is the msgid (gettext), translations come from locales/<lang>/LC_MESSAGES/<domain>.po,
 * compiled by scripts/compile-catalogs.mjs into ./generated/<lang>.json (the officer's app, domain 'pwa') and
 * ./generated/<domain>.<lang>.json (each console's own strings), each loaded only when needed.
 */

export const LANGUAGES: { code: string; name: string; dir: 'ltr' | 'rtl' }[] = [
	{ code: 'en', name: 'English', dir: 'ltr' },
	{ code: 'fr', name: 'Français', dir: 'ltr' },
	{ code: 'de', name: 'Deutsch', dir: 'ltr' },
	{ code: 'es', name: 'Español', dir: 'ltr' },
	{ code: 'it', name: 'Italiano', dir: 'ltr' },
	{ code: 'pl', name: 'Polski', dir: 'ltr' },
	{ code: 'nl', name: 'Nederlands', dir: 'ltr' },
	{ code: 'pt', name: 'Português', dir: 'ltr' },
	{ code: 'ar', name: 'العربية', dir: 'rtl' }
];

export const SUPPORTED = LANGUAGES.map((l) => l.code);

/** The interface language for a wish list (`pt-BR`, `fr_FR`, …): exact, then the base language, then English. */
export function pickLocale(...wishes: (string | null | undefined)[]): string {
	for (const wish of wishes) {
		if (!wish) continue;
		const base = wish.replace('_', '-').split('-')[0].toLowerCase();
		if (SUPPORTED.includes(base)) return base;
	}
	return 'en';
}

export function dirOf(locale: string): 'ltr' | 'rtl' {
	return LANGUAGES.find((l) => l.code === locale)?.dir ?? 'ltr';
}

export type Catalog = Record<string, string>;

/** `{name}` placeholders filled from params; a missing translation shows the English msgid. */
export function translate(catalog: Catalog, msgid: string, params?: Record<string, string | number>): string {
	const text = catalog[msgid] || msgid;
	if (!params) return text;
	return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

const loaders = import.meta.glob<{ default: Catalog }>('./generated/*.json');

/** One domain's catalog for a language; 'pwa' is the officer's app (i18n-domains.json names the others). */
export async function loadCatalog(locale: string, domain = 'pwa'): Promise<Catalog> {
	if (locale === 'en') return {};
	const load = loaders[domain === 'pwa' ? `./generated/${locale}.json` : `./generated/${domain}.${locale}.json`];
	return load ? (await load()).default : {};
}
