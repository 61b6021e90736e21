/** A Server-Sent Events parser (the WHATWG event-stream format) for streams read with fetch(). */

export interface SseMessage {
	event: string;
	data: string;
	id?: string;
}

/** Feed it chunks of text; it returns the complete messages each chunk finished. */
export class SseParser {
	#buffer = '';
	#event = '';
	#data: string[] = [];
	#id: string | undefined;

	push(chunk: string): SseMessage[] {
		this.#buffer += chunk;
		const out: SseMessage[] = [];
		// Lines end with CRLF, LF or CR; the last piece may be incomplete and waits for the next chunk.
		const lines = this.#buffer.split(/\r\n|\n|\r/);
		this.#buffer = lines.pop() ?? '';
		for (const line of lines) {
			if (line === '') {
				if (this.#data.length) out.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
				this.#event = '';
				this.#data = [];
				continue;
			}
			if (line.startsWith(':')) continue; // a comment: the server's keep-alive
			const colon = line.indexOf(':');
			const field = colon < 0 ? line : line.slice(0, colon);
			let value = colon < 0 ? '' : line.slice(colon + 1);
			if (value.startsWith(' ')) value = value.slice(1);
			if (field === 'event') this.#event = value;
			else if (field === 'data') this.#data.push(value);
			else if (field === 'id') this.#id = value;
		}
		return out;
	}
}
