/** Names the console shows for levels, priorities and languages, in the coordinator's language. */
import { app } from '$lib/app.svelte';
import { LANGUAGES } from '$lib/i18n/messages';
import type { AlertLevelName } from '$lib/types';

export const LEVELS: AlertLevelName[] = ['vigilance', 'heightened', 'emergency'];

export function levelName(level: string): string {
	const t = app.i18n.t;
	// The official Vigipirate names (the backend's alerts catalog says the same).
	const names: Record<string, string> = {
		vigilance: t('Vigilance'),
		heightened: t('Enhanced security – risk of attack'),
		emergency: t('Attack emergency')
	};
	return names[level] ?? level;
}

export function priorityName(priority: string): string {
	const t = app.i18n.t;
	const names: Record<string, string> = { info: t('Information'), important: t('Important'), urgent: t('Urgent') };
	return names[priority] ?? priority;
}

/** A language's own name ("Deutsch"), the way officers pick it on their phones. */
export function languageName(code: string): string {
	const known = LANGUAGES.find((l) => l.code === code.split('-')[0].toLowerCase());
	if (known) return known.name;
	try {
		return new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
	} catch {
		return code;
	}
}

export function countryName(code: string, names: Record<string, string>): string {
	return names[code] ?? code;
}

export function formatCount(n: number): string {
	return new Intl.NumberFormat(app.i18n.locale).format(n);
}
