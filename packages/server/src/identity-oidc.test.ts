import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier, looksLikeJwt, oidcOptions, rolesFromClaim } from './identity-oidc.js';
import { type TestApp, classifierPackage, createTestApp, push } from './testing/fixtures.js';

const issuer = 'https://login.example.com/';
const audience = 'slipway';
const dir = mkdtempSync(join(tmpdir(), 'slipway-oidc-'));
let jwks: Server;
let jwksUrl: string;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let privateKey: PrivateKey;
let otherKey: PrivateKey;
let publicJwk: JWK;
let t: TestApp;

async function jwt(claims: Record<string, unknown>, options: { key?: PrivateKey; expiresIn?: string; aud?: string; iss?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? privateKey);
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((req, res) => {
    res.writeHead(req.url === '/jwks' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const address = jwks.address();
  jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks`;
  t = await createTestApp({ governance: { oidc: { issuer, audience, jwksUrl } } });
  expect((await push(t, await classifierPackage())).statusCode).toBe(201);
});
afterAll(async () => {
  await t.cleanup();
  await new Promise((resolve) => jwks.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('roles claim', () => {
  const cases: [unknown, Record<string, string[]>][] = [
    [['risk:data-scientist', 'viewer', '*:caller'], { risk: ['data-scientist'], default: ['viewer'], '*': ['caller'] }],
    ['risk:viewer default:approver', { risk: ['viewer'], default: ['approver'] }],
    [['risk:king', 42, '', ':viewer'], {}],
    [undefined, {}],
  ];
  for (const [claim, expected] of cases) {
    it(`reads ${JSON.stringify(claim)}`, () => {
      expect(Object.fromEntries(rolesFromClaim(claim))).toEqual(expected);
    });
  }
  it('tells JWTs from Slipway tokens', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
    expect(looksLikeJwt('slw_abc')).toBe(false);
  });
});

describe('OIDC bearer tokens (JWKS from a local HTTP server)', () => {
  it('maps the user and role claims: a viewer reads but cannot push, and is audited by name', async () => {
    const token = await jwt({ sub: 'erin', slipway_roles: ['default:viewer'] });
    const me = await t.app.inject({ url: '/v1/whoami', headers: bearer(token) });
    expect(me.json()).toMatchObject({ name: 'erin', roles: { default: ['viewer'] }, role: 'viewer' });
    expect((await t.app.inject({ url: '/v1/pipelines/tiny', headers: bearer(token) })).statusCode).toBe(200);
    const pushed = await push(t, await classifierPackage(), bearer(token));
    expect(pushed.statusCode).toBe(403);
    const scientist = await jwt({ sub: 'frank', slipway_roles: 'default:data-scientist' });
    expect((await t.app.inject({ method: 'POST', url: '/v1/runs', headers: bearer(scientist), payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 1 } } })).statusCode).toBe(200);
    const events = (await t.app.inject({ url: '/v1/audit?actor=erin', headers: { authorization: 'Bearer test-admin-token-0123456789' } })).json<{ events: { action: string; status: number }[] }>().events;
    expect(events[0]).toMatchObject({ action: 'auth.denied', status: 403 });
  });

  const refused: [string, () => Promise<string>, RegExp][] = [
    ['expired', () => jwt({ sub: 'erin', slipway_roles: ['viewer'] }, { expiresIn: '-1m' }), /expired/],
    ['for another audience', () => jwt({ sub: 'erin' }, { aud: 'someone-else' }), /"aud" claim/],
    ['from another issuer', () => jwt({ sub: 'erin' }, { iss: 'https://evil.example.com/' }), /"iss" claim/],
    ['signed by another key', () => jwt({ sub: 'erin', slipway_roles: ['*:admin'] }, { key: otherKey }), /could not be verified/],
    ['without a user', () => jwt({ slipway_roles: ['viewer'] }), /no "sub" claim/],
    ['tampered', async () => { const [h, , s] = (await jwt({ sub: 'erin', slipway_roles: ['viewer'] })).split('.'); return `${h}.${Buffer.from(JSON.stringify({ sub: 'erin', slipway_roles: ['*:admin'], iss: issuer, aud: audience, exp: 9e9 })).toString('base64url')}.${s}`; }, /could not be verified/],
  ];
  for (const [what, make, message] of refused) {
    it(`refuses a token ${what} with 401`, async () => {
      const res = await t.app.inject({ url: '/v1/pipelines', headers: bearer(await make()) });
      expect(res.statusCode).toBe(401);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    });
  }

  it('reads the key set from a file, and refuses a missing or malformed one naming it', async () => {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [publicJwk] }));
    const verifier = createOidcVerifier({ issuer, audience, jwksFile: file, userClaim: 'email' });
    await verifier.ready();
    expect(await verifier.verify(await jwt({ sub: 'x', email: 'erin@example.com', slipway_roles: ['risk:viewer'] }))).toMatchObject({ name: 'erin@example.com', roles: new Map([['risk', ['viewer']]]) });
    await expect(createOidcVerifier({ issuer, audience, jwksFile: join(dir, 'none.json') }).ready()).rejects.toThrow(/cannot read the OIDC JWKS file .*none\.json \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.json'), '{"nope": 1}');
    await expect(createOidcVerifier({ issuer, audience, jwksFile: join(dir, 'bad.json') }).ready()).rejects.toThrow(/not a JSON Web Key Set/);
  });

  it('refuses half an OIDC configuration naming every missing setting', () => {
    expect(oidcOptions({})).toBeUndefined();
    expect(() => oidcOptions({ oidcIssuer: issuer })).toThrow(/oidcAudience \(SLIPWAY_OIDC_AUDIENCE\): is required for OIDC; oidcJwksUrl \(SLIPWAY_OIDC_JWKS_URL\): give exactly one/);
    expect(oidcOptions({ oidcIssuer: issuer, oidcAudience: audience, oidcJwksUrl: jwksUrl })).toEqual({ issuer, audience, jwksUrl });
  });
});
