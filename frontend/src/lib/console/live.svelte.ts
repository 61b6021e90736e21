/**
 * The console's live feed: GET /api/console/live read with fetch(), so the bearer token travels in the
 * Authorization header (EventSource cannot send headers, and a token in a URL ends up in logs and history).
 * It reconnects by itself; the server keeps no history, so listeners re-fetch on every (re)connection.
 */
import { app } from '$lib/app.svelte';
import { SseParser } from './sse';

export interface LiveEvent {
	type: string;
	id?: string;
	kind?: string;
	event?: string;
	audience?: number;
	acknowledged?: number;
	level?: string;
	drill?: boolean;
	country?: string | null;
}

type Listener = (event: LiveEvent) => void;
const MAX_WAIT_MS = 15_000;

export class ConsoleLive {
	status = $state<'connecting' | 'live' | 'offline'>('connecting');
	#listeners = new Set<Listener>();
	#abort: AbortController | null = null;
	#retry: ReturnType<typeof setTimeout> | undefined;
	#wait = 1000;

	/** Calls `listener` for each event, and with {type: 'connected'} on every (re)connection. */
	on(listener: Listener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	start(): void {
		if (this.#abort) return;
		this.#abort = new AbortController();
		void this.#run(this.#abort.signal);
	}

	stop(): void {
		this.#abort?.abort();
		this.#abort = null;
		clearTimeout(this.#retry);
	}

	#emit(event: LiveEvent): void {
		for (const listener of this.#listeners) listener(event);
	}

	async #run(signal: AbortSignal): Promise<void> {
		this.status = 'connecting';
		try {
			const response = await fetch('/api/console/live', {
				headers: { accept: 'text/event-stream', authorization: `Bearer ${app.session?.token ?? ''}` },
				cache: 'no-store',
				signal
			});
			if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
			const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
			const parser = new SseParser();
			for (;;) {
				const { value, done } = await reader.read();
				if (done) break;
				for (const message of parser.push(value)) {
					if (message.event === 'hello') {
						this.status = 'live';
						this.#wait = 1000;
						this.#emit({ type: 'connected' });
						continue;
					}
					try {
						this.#emit(JSON.parse(message.data) as LiveEvent);
					} catch {
						// Not JSON: nothing a screen could use.
					}
				}
			}
		} catch {
			if (signal.aborted) return;
		}
		if (signal.aborted) return;
		this.status = 'offline';
		this.#retry = setTimeout(() => {
			if (!signal.aborted) void this.#run(signal);
		}, this.#wait);
		this.#wait = Math.min(this.#wait * 2, MAX_WAIT_MS);
	}
}

export const live = new ConsoleLive();
