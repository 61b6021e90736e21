import { describe, expect, it, vi } from 'vitest';
import { isToken, verifyToken, type Jwk, type Revocation } from './jws';

function b64url(data: string | ArrayBuffer): string {
	const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
	return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A key pair and a signer producing tokens like the server's (backend/liaison/checkin/tokens.py). */
async function issuer(kid = 'kid-1') {
	const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
	const x = b64url(await crypto.subtle.exportKey('raw', pair.publicKey));
	const jwk: Jwk = { kty: 'OKP', crv: 'Ed25519', x, kid };
	const token = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
		const input = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid, ...header }))}.${b64url(JSON.stringify(claims))}`;
		const signature = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, new TextEncoder().encode(input));
		return `${input}.${b64url(signature)}`;
	};
	return { jwk, token };
}

const now = new Date('2024-07-24T08:00:00Z');
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const claims = {
	iss: 'https://liaison.example.org',
	sub: '6a1d0f3e-0000-4000-8000-000000000001',
	accreditation_id: 'P24-DE-0001',
	name: 'Anna Becker',
	country: 'DE',
	role: 'officer',
	gen: 0,
	iat: at('2024-07-20T00:00:00Z'),
	nbf: at('2024-07-21T00:00:00Z'),
	exp: at('2024-08-12T00:00:00Z')
};

describe('offline verification of accreditation tokens', async () => {
	const { jwk, token } = await issuer();

	it('accepts a token the published key signed, with its claims', async () => {
		const verdict = await verifyToken((await token(claims)), [jwk], [], now);
		expect(verdict).toMatchObject({ ok: true, kid: 'kid-1', claims: { name: 'Anna Becker', country: 'DE' } });
	});

	it('refuses a changed signature and edited claims', async () => {
		const good = await token(claims);
		const [h, c, s] = good.split('.');
		const flipped = `${h}.${c}.${(s[0] === 'A' ? 'B' : 'A') + s.slice(1)}`;
		const edited = `${h}.${b64url(JSON.stringify({ ...claims, name: 'Someone Else' }))}.${s}`;
		expect(await verifyToken(flipped, [jwk], [], now)).toEqual({ ok: false, reason: 'bad_signature' });
		expect(await verifyToken(edited, [jwk], [], now)).toEqual({ ok: false, reason: 'bad_signature' });
	});

	it('refuses a key it does not know and a token signed by another key under the same kid', async () => {
		const other = await issuer('kid-1');
		expect(await verifyToken((await token(claims)), [{ ...jwk, kid: 'kid-2' }], [], now)).toEqual({ ok: false, reason: 'unknown_key' });
		expect(await verifyToken((await other.token(claims)), [jwk], [], now)).toEqual({ ok: false, reason: 'bad_signature' });
	});

	it('checks validity at the scan time, with a minute of clock drift', async () => {
		const t = await token(claims);
		expect(await verifyToken(t, [jwk], [], new Date('2024-08-12T00:00:59Z'))).toMatchObject({ ok: true });
		expect(await verifyToken(t, [jwk], [], new Date('2024-08-12T00:01:00Z'))).toEqual({ ok: false, reason: 'expired' });
		expect(await verifyToken(t, [jwk], [], new Date('2024-07-20T23:58:00Z'))).toEqual({ ok: false, reason: 'not_yet_valid' });
	});

	it('applies the revocation list: lost refuses older generations, withdrawn refuses all', async () => {
		const lost: Revocation = { accreditation_id: 'P24-DE-0001', reason: 'lost', generation: 1, revoked_at: '2024-07-23T10:00:00Z' };
		expect(await verifyToken((await token(claims)), [jwk], [lost], now)).toEqual({ ok: false, reason: 'revoked' });
		expect(await verifyToken((await token({ ...claims, gen: 1 })), [jwk], [lost], now)).toMatchObject({ ok: true });
		const withdrawn = { ...lost, reason: 'withdrawn' };
		expect(await verifyToken((await token({ ...claims, gen: 1 })), [jwk], [withdrawn], now)).toEqual({ ok: false, reason: 'withdrawn' });
		// A revocation after the scan does not undo it (an offline desk replaying its queue).
		const later = { ...withdrawn, revoked_at: '2024-07-25T00:00:00Z' };
		expect(await verifyToken((await token(claims)), [jwk], [later], now)).toMatchObject({ ok: true });
	});

	it('refuses what is not a compact EdDSA JWS', async () => {
		expect(isToken('P24-DE-0001')).toBe(false);
		expect(await verifyToken('https://example.org/x', [jwk], [], now)).toEqual({ ok: false, reason: 'malformed' });
		expect(await verifyToken((await token(claims, { alg: 'none' })), [jwk], [], now)).toEqual({ ok: false, reason: 'malformed' });
		expect(await verifyToken((await token(claims, { alg: 'HS256' })), [jwk], [], now)).toEqual({ ok: false, reason: 'malformed' });
	});

	it('falls back to the JS verifier where WebCrypto has no Ed25519', async () => {
		const spy = vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(new DOMException('no Ed25519', 'NotSupportedError'));
		vi.resetModules();
		const fresh = await import('./jws');
		try {
			const good = await token(claims);
			expect(await fresh.verifyToken(good, [jwk], [], now)).toMatchObject({ ok: true });
			const [h, c, sig] = good.split('.');
			const flipped = `${h}.${c}.${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}`;
			expect(await fresh.verifyToken(flipped, [jwk], [], now)).toEqual({ ok: false, reason: 'bad_signature' });
			expect(spy).toHaveBeenCalledTimes(1); // asked once, then the fallback is used directly
		} finally {
			spy.mockRestore();
		}
	});
});
