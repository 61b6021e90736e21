// The first-load JavaScript budget: what a phone downloads before its first screen, gzipped.
// Counts the scripts build/index.html preloads (SvelteKit's start and app entries, the root layout and what
// they import) plus the join page, the first screen of a new phone, with its own static imports. Chunks
// loaded later (other pages, language catalogs, push) do not count.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 80;
const root = join(import.meta.dirname, '..');
const build = join(root, 'build');
const client = join(root, '.svelte-kit', 'output', 'client');
const manifest = JSON.parse(readFileSync(join(client, '.vite', 'manifest.json'), 'utf8'));
const index = readFileSync(join(build, 'index.html'), 'utf8');

const files = new Set([...index.matchAll(/(?:href|import\()\s*=?\s*"\/?(_app\/[^"]+\.js)"/g)].map((m) => m[1]));

// Which generated node is the join page: the node module that imports src/routes/join/+page.svelte.
const nodesDir = join(root, '.svelte-kit', 'generated', 'client-optimized', 'nodes');
const joinNode = readdirSync(nodesDir).find((f) => readFileSync(join(nodesDir, f), 'utf8').includes('routes/join/+page'));
function visit(key) {
	const chunk = manifest[key];
	if (!chunk || files.has(chunk.file)) return;
	files.add(chunk.file);
	(chunk.imports ?? []).forEach(visit);
}
if (joinNode) visit(`.svelte-kit/generated/client-optimized/nodes/${joinNode}`);

let total = 0;
for (const file of files) {
	const path = join(build, file);
	if (!existsSync(path)) throw new Error(`budget: ${file} is preloaded but not in build/`);
	total += gzipSync(readFileSync(path), { level: 9 }).length;
}
if (files.size < 3 || !joinNode) {
	console.error('budget: could not find the entry chunks (did the build layout change?)');
	process.exit(1);
}
const kb = total / 1024;
console.log(`first-load JavaScript: ${kb.toFixed(1)} KB gzipped in ${files.size} files (budget ${BUDGET_KB} KB)`);
if (kb > BUDGET_KB) {
	console.error(`budget exceeded by ${(kb - BUDGET_KB).toFixed(1)} KB`);
	process.exit(1);
}
