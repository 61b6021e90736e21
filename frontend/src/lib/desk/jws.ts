/**
 * Offline check of an accreditation token: a compact JWS (alg EdDSA, Ed25519) against the cached JWKS and
 * revocation list, with the same rules and reasons as the server (backend/liaison/checkin/tokens.py).
 * WebCrypto verifies Ed25519 in current browsers; where it cannot, a small pure-JS verifier is loaded.
 */

export interface Jwk {
	kty: string;
	crv: string;
	x: string;
	kid: string;
}

export interface Revocation {
	accreditation_id: string;
	reason: 'lost' | 'withdrawn' | string;
	generation: number;
	revoked_at: string;
}

export interface Claims {
	sub: string;
	accreditation_id: string;
	name: string;
	country: string | null;
	role: string;
	rank?: string;
	gen: number;
	iat: number;
	nbf: number;
	exp: number;
	iss: string;
}

export type Refusal =
	| 'malformed'
	| 'bad_signature'
	| 'unknown_key'
	| 'expired'
	| 'not_yet_valid'
	| 'revoked'
	| 'withdrawn';

export type Verdict = { ok: true; claims: Claims; kid: string } | { ok: false; reason: Refusal };

// Tablets' clocks drift; the server allows a minute either way too.
const LEEWAY_S = 60;
const MAX_TOKEN_CHARS = 2048;

export function b64urlBytes(text: string): Uint8Array<ArrayBuffer> {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
	const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
	const raw = atob(padded);
	const bytes = new Uint8Array(new ArrayBuffer(raw.length));
	for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
	return bytes;
}

function json(segment: string): Record<string, unknown> | null {
	try {
		const value = JSON.parse(new TextDecoder().decode(b64urlBytes(segment)));
		return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
	} catch {
		return null;
	}
}

/** Looks like a token (three base64url segments) rather than a typed accreditation id or another QR. */
export function isToken(text: string): boolean {
	return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text.trim());
}

let webCryptoEd25519: boolean | null = null;

async function verifyEd25519(x: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
	if (webCryptoEd25519 !== false) {
		try {
			const key = await crypto.subtle.importKey('raw', x, { name: 'Ed25519' }, false, ['verify']);
			webCryptoEd25519 = true;
			return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, data);
		} catch (err) {
			// NotSupportedError: this browser has no Ed25519 in WebCrypto. Anything else is a bad key or signature.
			if (!(err instanceof DOMException && err.name === 'NotSupportedError')) return false;
			webCryptoEd25519 = false;
		}
	}
	const ed = await import('@noble/ed25519');
	try {
		return await ed.verifyAsync(signature, data, x);
	} catch {
		return false;
	}
}

/** Signature, key, validity at `now` and the revocation list; never throws. */
export async function verifyToken(
	token: string,
	keys: Jwk[],
	revocations: Revocation[],
	now: Date = new Date()
): Promise<Verdict> {
	token = token.trim();
	if (token.length > MAX_TOKEN_CHARS || !isToken(token)) return { ok: false, reason: 'malformed' };
	const [headerB64, claimsB64, signatureB64] = token.split('.');
	const header = json(headerB64);
	if (!header || header.alg !== 'EdDSA' || 'crit' in header) return { ok: false, reason: 'malformed' };
	const key = keys.find((k) => k.kid === header.kid && k.kty === 'OKP' && k.crv === 'Ed25519');
	if (!key) return { ok: false, reason: 'unknown_key' };
	let valid = false;
	try {
		const signed = new TextEncoder().encode(`${headerB64}.${claimsB64}`) as Uint8Array<ArrayBuffer>;
		valid = await verifyEd25519(b64urlBytes(key.x), b64urlBytes(signatureB64), signed);
	} catch {
		valid = false;
	}
	if (!valid) return { ok: false, reason: 'bad_signature' };
	const claims = json(claimsB64) as Claims | null;
	if (!claims || typeof claims.accreditation_id !== 'string' || typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') {
		return { ok: false, reason: 'malformed' };
	}
	// The issuer is not compared here: only this server's keys are in the JWKS, and the server checks it again.
	const at = now.getTime() / 1000;
	if (at >= claims.exp + LEEWAY_S) return { ok: false, reason: 'expired' };
	if (at < claims.nbf - LEEWAY_S) return { ok: false, reason: 'not_yet_valid' };
	const revoked = revocations.find((r) => r.accreditation_id === claims.accreditation_id);
	if (revoked && Date.parse(revoked.revoked_at) <= now.getTime()) {
		if (revoked.reason === 'withdrawn') return { ok: false, reason: 'withdrawn' };
		if ((claims.gen ?? 0) < revoked.generation) return { ok: false, reason: 'revoked' };
	}
	return { ok: true, claims, kid: key.kid };
}
