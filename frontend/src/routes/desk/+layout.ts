import { app } from '$lib/app.svelte';

// This console's strings (gettext domain `desk`) load when it opens, not with the officer's app.
export async function load(): Promise<void> {
	await app.i18n.need('desk');
}
