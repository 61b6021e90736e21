/** The HTTP client: bearer token, JSON, RFC 9457 problem details turned into ApiError. */

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly title: string,
		readonly detail: string,
		readonly body: Record<string, unknown> = {}
	) {
		super(detail || title || `HTTP ${status}`);
	}
}

/** No answer at all (offline, server down): the caller keeps working from IndexedDB. */
export class NetworkError extends Error {}

export type Fetcher = typeof fetch;

export interface RequestOptions {
	method?: string;
	body?: unknown;
	token?: string | null;
	headers?: Record<string, string>;
	fetcher?: Fetcher;
}

export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
	const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
	if (opts.token) headers.authorization = `Bearer ${opts.token}`;
	if (opts.body !== undefined) headers['content-type'] = 'application/json';
	const fetcher = opts.fetcher ?? fetch;
	let response: Response;
	try {
		response = await fetcher(path, {
			method: opts.method ?? 'GET',
			headers,
			body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
			cache: 'no-store'
		});
	} catch (err) {
		throw new NetworkError(err instanceof Error ? err.message : String(err));
	}
	return response;
}

export async function problem(response: Response): Promise<ApiError> {
	let body: Record<string, unknown> = {};
	try {
		body = (await response.json()) as Record<string, unknown>;
	} catch {
		// A proxy's HTML error page: keep the status only.
	}
	return new ApiError(response.status, String(body.title ?? ''), String(body.detail ?? ''), body);
}

/** JSON of a successful call, or ApiError / NetworkError. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
	const response = await request(path, opts);
	if (!response.ok) throw await problem(response);
	if (response.status === 204) return undefined as T;
	return (await response.json()) as T;
}
