/** Words the planner shows for codes: refusal reasons, languages (CLDR names from the browser). */
import type { Reason } from './api';

export function reasonLabel(reason: Reason | undefined, t: (m: string) => string): string {
	switch (reason) {
		case 'overlap':
			return t('Overlapping shift');
		case 'rest_time':
			return t('Not enough rest');
		case 'not_available':
			return t('Not in Paris then');
		case 'full':
			return t('Shift full');
		case 'already_assigned':
			return t('Already on this shift');
		case 'checked_in':
			return t('Already checked in');
		default:
			return t('Cannot be assigned');
	}
}

const names = new Map<string, Intl.DisplayNames | null>();

export function languageName(code: string, locale: string): string {
	if (!names.has(locale)) {
		try {
			names.set(locale, new Intl.DisplayNames([locale], { type: 'language' }));
		} catch {
			names.set(locale, null);
		}
	}
	try {
		return names.get(locale)?.of(code) ?? code;
	} catch {
		return code;
	}
}

export function languageList(codes: string[], locale: string): string {
	return codes.map((c) => languageName(c, locale)).join(', ');
}

/** The languages the participating countries speak (base codes), named and sorted in `locale`. */
export function spokenLanguages(countries: { languages: string[] }[], locale: string): { code: string; name: string }[] {
	const codes = new Set(countries.flatMap((c) => c.languages.map((l) => l.split('-')[0].toLowerCase())));
	return [...codes]
		.map((code) => ({ code, name: languageName(code, locale) }))
		.sort((a, b) => a.name.localeCompare(b.name, locale));
}
