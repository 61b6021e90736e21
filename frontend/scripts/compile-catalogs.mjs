// Catalogs → JSON for the PWA, with gettext as the one source of truth:
// 1. extract every t('…') msgid from src/ into ../locales/<domain>.pot, the domain chosen by the file's
//    folder (i18n-domains.json: the officer's app is 'pwa', each console has its own);
// 2. add msgids new to the template to each locales/<lang>/LC_MESSAGES/<domain>.po (empty: untranslated,
//    which tests/test_pwa_catalogs.py refuses), keeping what translators wrote;
// 3. write src/lib/i18n/generated/<lang>.json for 'pwa' and <domain>.<lang>.json for the others
//    (msgid → msgstr), which the app imports lazily.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, statSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import gettextParser from 'gettext-parser';

const here = dirname(fileURLToPath(import.meta.url));
const frontend = join(here, '..');
const locales = join(frontend, '..', 'locales');
const out = join(frontend, 'src', 'lib', 'i18n', 'generated');
export const LANGS = ['en', 'fr', 'de', 'es', 'it', 'pl', 'nl', 'pt', 'ar'];
const DOMAINS = JSON.parse(readFileSync(join(frontend, 'i18n-domains.json'), 'utf8'));

/** The domain of a file (path relative to frontend/, with '/'): the longest matching folder prefix. */
export function domainOf(path) {
	let best = DOMAINS.default;
	let length = 0;
	for (const [domain, prefixes] of Object.entries(DOMAINS.domains)) {
		for (const prefix of prefixes) {
			if (path.startsWith(prefix) && prefix.length > length) [best, length] = [domain, prefix.length];
		}
	}
	return best;
}

// t('…') / t("…") / i18n.t(…): single string literal as first argument. Keep in step with tests/test_pwa_catalogs.py.
const CALL = /\bt\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;

function walk(dir) {
	const found = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (name === 'generated' || name.startsWith('.')) continue;
		if (statSync(path).isDirectory()) found.push(...walk(path));
		else if (/\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts')) found.push(path);
	}
	return found;
}

/** domain → (msgid → files using it). */
function extract() {
	const domains = new Map([[DOMAINS.default, new Map()]]);
	for (const file of walk(join(frontend, 'src'))) {
		const domain = domainOf(relative(frontend, file).split('\\').join('/'));
		if (!domains.has(domain)) domains.set(domain, new Map());
		const messages = domains.get(domain);
		const source = readFileSync(file, 'utf8');
		for (const match of source.matchAll(CALL)) {
			const msgid = match[2].replace(/\\(['"\\])/g, '$1');
			const ref = relative(join(frontend, '..'), file);
			if (!messages.has(msgid)) messages.set(msgid, new Set());
			messages.get(msgid).add(ref);
		}
	}
	return domains;
}

function header(lang) {
	return {
		'Project-Id-Version': 'Liaison PWA',
		'Content-Type': 'text/plain; charset=UTF-8',
		'Content-Transfer-Encoding': '8bit',
		'MIME-Version': '1.0',
		...(lang ? { Language: lang } : {})
	};
}

function writePo(path, lang, messages, existing) {
	const translations = { '': { '': { msgid: '', msgstr: [''] } } };
	for (const msgid of [...messages.keys()].sort()) {
		const before = existing?.[msgid];
		translations[''][msgid] = {
			msgid,
			msgstr: lang === null ? [''] : [before?.msgstr?.[0] ?? (lang === 'en' ? msgid : '')],
			...(before?.comments?.translator ? { comments: { translator: before.comments.translator } } : {})
		};
	}
	const po = { charset: 'utf-8', headers: header(lang), translations };
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, gettextParser.po.compile(po, { foldLength: 0, sort: true }));
}

function readPo(path) {
	if (!existsSync(path)) return null;
	return gettextParser.po.parse(readFileSync(path)).translations[''] ?? {};
}

mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) if (name.endsWith('.json')) rmSync(join(out, name));
for (const [domain, messages] of extract()) {
	if (!messages.size) continue;
	writePo(join(locales, `${domain}.pot`), null, messages, null);
	let missing = 0;
	for (const lang of LANGS) {
		const path = join(locales, lang, 'LC_MESSAGES', `${domain}.po`);
		const existing = readPo(path);
		writePo(path, lang, messages, existing);
		const catalog = {};
		for (const msgid of messages.keys()) {
			const msgstr = existing?.[msgid]?.msgstr?.[0] ?? (lang === 'en' ? msgid : '');
			if (msgstr) catalog[msgid] = msgstr;
			else missing++;
		}
		const file = domain === DOMAINS.default ? `${lang}.json` : `${domain}.${lang}.json`;
		writeFileSync(join(out, file), JSON.stringify(catalog));
	}
	console.log(`${domain} catalogs: ${messages.size} strings, ${LANGS.length} languages, ${missing} untranslated`);
}
