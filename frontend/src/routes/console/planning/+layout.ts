import { app } from '$lib/app.svelte';

// The planner's strings are their own gettext domain, loaded when a planner page opens.
export async function load(): Promise<void> {
	await app.i18n.need('planner');
}
