import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	// Phones from 2021 on: no down-levelling of class fields and private members (smaller first load).
	build: {
		target: 'es2022',
		// Svelte's runtime as one file: split by route it became a dozen small files, each with its own request
		// and gzip overhead on the phone's first load.
		rollupOptions: {
			output: { manualChunks: (id: string) => (id.includes('/node_modules/svelte/src/internal/') ? 'svelte' : undefined) }
		}
	},
	server: { proxy: { '/api': 'http://127.0.0.1:8000', '/health': 'http://127.0.0.1:8000' } },
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node',
		setupFiles: ['fake-indexeddb/auto']
	}
});
