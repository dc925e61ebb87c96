import { randomBytes } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '#lib/auth/secrets.ts';
import {
  IMPERSONATION_TTL_SECONDS,
  issueSession,
  isUnsigned,
  looksLikeSessionToken,
  SESSION_TTL_SECONDS,
  type SessionClaims,
  signAgain,
  verifySession,
  withoutSignature,
} from '#lib/auth/sessions.ts';

const ISSUER = 'backup-provisioning';
const AUDIENCE = 'backup-provisioning-api';

/** A whole second, so expiry arithmetic has no truncation to account for. */
const now = new Date('2025-03-01T12:00:00.000Z');
const nowSeconds = now.getTime() / 1000;

const login: SessionClaims = {
  role: 'backupUser',
  partnerId: '01JPARTNER0000000000000000',
  companyId: '01JCOMPANY0000000000000000',
  accountId: '01JACCOUNT0000000000000000',
  mustChangePassword: true,
  actingPartnerId: null,
  actingStaffId: null,
  passwordIssuedAt: '2025-02-28T09:30:00.000Z',
};

const impersonation: SessionClaims = {
  role: 'companyAdmin',
  partnerId: login.partnerId,
  companyId: login.companyId,
  accountId: '01JADMIN000000000000000000',
  mustChangePassword: false,
  actingPartnerId: login.partnerId,
  actingStaffId: null,
  passwordIssuedAt: null,
};

// Tests that swap the secret must not leak the swap into the next test.
const originalSecret = process.env.SESSION_SECRET;
function restoreSecret() {
  if (originalSecret === undefined) delete process.env.SESSION_SECRET;
  else process.env.SESSION_SECRET = originalSecret;
}
afterEach(restoreSecret);

const testKey = () => new TextEncoder().encode(process.env.SESSION_SECRET);

/** The claims issueSession would write, for forging variations of them. */
const validPayload = (): JWTPayload => ({
  role: 'companyAdmin',
  pid: login.partnerId,
  cid: login.companyId,
  mcp: false,
  pwi: login.passwordIssuedAt!,
});

/** A token signed with the service's own key, so only the claims decide whether it is taken. */
async function forge(
  payload: JWTPayload,
  options: {
    alg?: string;
    sub?: string | null;
    iss?: string;
    aud?: string;
    exp?: number | null;
  } = {},
  key: Uint8Array = testKey(),
): Promise<string> {
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(nowSeconds);
  const sub = options.sub === undefined ? login.accountId : options.sub;
  if (sub !== null) jwt.setSubject(sub);
  const exp = options.exp === undefined ? nowSeconds + 600 : options.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(key);
}

/** Claims as verified: what was issued, and when it expires (issued at `now`). */
const expiring = (claims: SessionClaims, ttlSeconds: number) => ({
  ...claims,
  expiresAtSeconds: Math.floor(now.getTime() / 1000) + ttlSeconds,
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('issueSession / verifySession', () => {
  it('round-trips every claim of a login', async () => {
    // Prepare
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toEqual(expiring(login, SESSION_TTL_SECONDS));
  });

  it('round-trips every claim of an impersonation', async () => {
    // Prepare
    const { token } = await issueSession(impersonation, now, IMPERSONATION_TTL_SECONDS);

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toEqual(expiring(impersonation, IMPERSONATION_TTL_SECONDS));
  });

  it('round-trips a company admin login without a temporary password', async () => {
    // Prepare
    const admin: SessionClaims = { ...login, role: 'companyAdmin', mustChangePassword: false };
    const { token } = await issueSession(admin, now, SESSION_TTL_SECONDS);

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toEqual(expiring(admin, SESSION_TTL_SECONDS));
  });

  it('names the account as subject and writes the short claim names', async () => {
    // Prepare
    const { token } = await issueSession(impersonation, now, IMPERSONATION_TTL_SECONDS);
    const [header, payload] = token.split('.');

    // Act
    const decodedHeader = decode(header!);
    const decodedPayload = decode(payload!);

    // Assess: other services and the docs rely on these names; pwi is left out, not null.
    expect(decodedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodedPayload).toEqual({
      role: 'companyAdmin',
      pid: impersonation.partnerId,
      cid: impersonation.companyId,
      mcp: false,
      act: { sub: `partner:${impersonation.partnerId}` },
      sub: impersonation.accountId,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds,
      exp: nowSeconds + IMPERSONATION_TTL_SECONDS,
    });
  });

  it('sets expiresAt to now plus the ttl, matching the exp claim', async () => {
    // Act
    const short = await issueSession(login, now, SESSION_TTL_SECONDS);
    const long = await issueSession(impersonation, now, IMPERSONATION_TTL_SECONDS);

    // Assess
    expect(SESSION_TTL_SECONDS).toBe(30 * 60);
    expect(IMPERSONATION_TTL_SECONDS).toBe(60 * 60);
    expect(short.expiresAt).toBe('2025-03-01T12:30:00.000Z');
    expect(long.expiresAt).toBe('2025-03-01T13:00:00.000Z');
    expect(decode(short.token.split('.')[1]!).exp * 1000).toBe(Date.parse(short.expiresAt));
  });

  it('never reports an expiry later than the token really expires', async () => {
    // Prepare: a part-second now is cut to the second in the token.
    const ragged = new Date('2025-03-01T12:00:00.999Z');

    // Act
    const { token, expiresAt } = await issueSession(login, ragged, SESSION_TTL_SECONDS);

    // Assess
    expect(expiresAt).toBe('2025-03-01T12:30:00.000Z');
    expect(await verifySession(token, new Date(Date.parse(expiresAt) - 1))).not.toBeNull();
    expect(await verifySession(token, new Date(expiresAt))).toBeNull();
  });

  it('accepts the token until its last millisecond and refuses it from expiresAt on', async () => {
    // Prepare
    const { token, expiresAt } = await issueSession(login, now, SESSION_TTL_SECONDS);
    const expiresMs = Date.parse(expiresAt);

    // Act
    const lastMs = await verifySession(token, new Date(expiresMs - 1));
    const atExpiry = await verifySession(token, new Date(expiresMs));
    const dayLater = await verifySession(token, new Date(expiresMs + 86_400_000));

    // Assess
    expect(lastMs).toEqual(expiring(login, SESSION_TTL_SECONDS));
    expect(atExpiry).toBeNull();
    expect(dayLater).toBeNull();
  });

  it('checks against the current time when no time is given', async () => {
    // Prepare
    const fresh = await issueSession(login, new Date(), SESSION_TTL_SECONDS);
    const stale = await issueSession(login, new Date(Date.now() - 3_600_000), SESSION_TTL_SECONDS);

    // Act
    const freshClaims = await verifySession(fresh.token);
    const staleClaims = await verifySession(stale.token);

    // Assess
    expect(freshClaims).toEqual({ ...login, expiresAtSeconds: expect.any(Number) });
    expect(staleClaims).toBeNull();
  });

  it('refuses a token whose payload was changed after signing', async () => {
    // Prepare: a backup user promoting itself to company admin of another company.
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);
    const [header, payload, signature] = token.split('.');
    const altered = {
      ...decode(payload!),
      role: 'companyAdmin',
      cid: '01JOTHERCOMPANY00000000000',
    };
    const tampered = `${header}.${b64(altered)}.${signature}`;

    // Act
    const claims = await verifySession(tampered, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses a token whose signature was changed', async () => {
    // Prepare: the first character, since the last one's low bits are padding that may not
    // change the decoded signature at all.
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);
    const [header, payload, signature] = token.split('.');
    const flipped = (signature![0] === 'A' ? 'B' : 'A') + signature!.slice(1);
    const truncated = signature!.slice(0, 20);

    // Act
    const withFlipped = await verifySession(`${header}.${payload}.${flipped}`, now);
    const withTruncated = await verifySession(`${header}.${payload}.${truncated}`, now);

    // Assess
    expect(withFlipped).toBeNull();
    expect(withTruncated).toBeNull();
  });

  it('refuses an unsigned alg "none" token, with or without a signature part', async () => {
    // Prepare
    const header = b64({ alg: 'none', typ: 'JWT' });
    const payload = b64({
      ...validPayload(),
      sub: login.accountId,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds,
      exp: nowSeconds + 600,
    });

    // Act
    const empty = await verifySession(`${header}.${payload}.`, now);
    const filler = await verifySession(`${header}.${payload}.AAAA`, now);

    // Assess
    expect(empty).toBeNull();
    expect(filler).toBeNull();
  });

  it('refuses a token with the right key but another HMAC algorithm', async () => {
    // Prepare: accepting it would let the header, which the caller controls, choose the check.
    const hs384 = await forge(validPayload(), { alg: 'HS384' });
    const hs512 = await forge(validPayload(), { alg: 'HS512' });
    const control = await forge(validPayload());

    // Act / Assess
    expect(await verifySession(hs384, now)).toBeNull();
    expect(await verifySession(hs512, now)).toBeNull();
    expect(await verifySession(control, now)).not.toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    // Prepare
    process.env.SESSION_SECRET = randomBytes(32).toString('base64url');
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);
    restoreSecret();

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('stops accepting tokens once the secret is rotated', async () => {
    // Prepare
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);
    process.env.SESSION_SECRET = randomBytes(32).toString('base64url');

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses to sign or verify with a secret shorter than 32 bytes', async () => {
    // Prepare
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);
    process.env.SESSION_SECRET = 'x'.repeat(31);

    // Act / Assess: a weak key is a deployment fault, not an anonymous caller, so it throws.
    await expect(issueSession(login, now, SESSION_TTL_SECONDS)).rejects.toThrow(
      /SESSION_SECRET must hold at least 32 bytes/,
    );
    await expect(verifySession(token, now)).rejects.toThrow(/at least 32 bytes/);
  });

  it('measures the secret in UTF-8 bytes, so 16 two-byte characters are enough', async () => {
    // Prepare
    process.env.SESSION_SECRET = 'é'.repeat(16);

    // Act
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);

    // Assess
    expect(await verifySession(token, now)).toEqual(expiring(login, SESSION_TTL_SECONDS));
  });

  it('accepts a forged token with the issued claim set, so the refusals below are about one claim', async () => {
    // Prepare
    const token = await forge(validPayload());

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toEqual({
      role: 'companyAdmin',
      partnerId: login.partnerId,
      companyId: login.companyId,
      accountId: login.accountId,
      mustChangePassword: false,
      actingPartnerId: null,
      actingStaffId: null,
      passwordIssuedAt: login.passwordIssuedAt,
      expiresAtSeconds: nowSeconds + 600,
    });
  });

  it('refuses an impersonation naming a partner other than the session partner', async () => {
    // Prepare: one partner may never act inside another partner's tenancy.
    const token = await forge({
      ...validPayload(),
      act: { sub: 'partner:01JOTHERPARTNER00000000000' },
    });

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses an impersonation of a backup user', async () => {
    // Prepare: "login as" exists only for company admins.
    const token = await forge({
      ...validPayload(),
      role: 'backupUser',
      act: { sub: `partner:${login.partnerId}` },
    });

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses an impersonation with an empty partner id', async () => {
    // Prepare
    const token = await forge({ ...validPayload(), act: { sub: 'partner:' } });

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('issues but never honours an impersonation that breaks the rules', async () => {
    // Prepare
    const crossPartner = await issueSession(
      { ...impersonation, actingPartnerId: '01JOTHERPARTNER00000000000' },
      now,
      IMPERSONATION_TTL_SECONDS,
    );
    const ofBackupUser = await issueSession(
      { ...impersonation, role: 'backupUser' },
      now,
      IMPERSONATION_TTL_SECONDS,
    );

    // Act / Assess
    expect(await verifySession(crossPartner.token, now)).toBeNull();
    expect(await verifySession(ofBackupUser.token, now)).toBeNull();
  });

  it.each([
    ['a partner', 'partner'],
    ['storage', 'storage'],
    ['anonymous', 'anonymous'],
    ['no', undefined],
    ['a non-string', 1],
  ])('refuses %s role', async (_label, role) => {
    // Prepare: only company admins and backup users hold sessions.
    const token = await forge({ ...validPayload(), role });

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it.each([
    ['no pid', { pid: undefined }],
    ['no cid', { cid: undefined }],
    ['a numeric pid', { pid: 42 }],
    ['a numeric cid', { cid: 42 }],
  ])('refuses a token with %s', async (_label, change) => {
    // Prepare
    const token = await forge({ ...validPayload(), ...change });

    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses a token without a subject or without an expiry', async () => {
    // Prepare: a token without exp would be valid forever.
    const noSubject = await forge(validPayload(), { sub: null });
    const noExpiry = await forge(validPayload(), { exp: null });

    // Act / Assess
    expect(await verifySession(noSubject, now)).toBeNull();
    expect(await verifySession(noExpiry, now)).toBeNull();
  });

  it('refuses a subject, partner or company that is not a non-empty string', async () => {
    // Prepare: setSubject takes only strings, so a numeric or empty `sub` goes in the payload.
    const forged = await Promise.all([
      forge({ ...validPayload(), sub: 123 } as unknown as JWTPayload, { sub: null }),
      forge({ ...validPayload(), sub: { a: 1 } } as unknown as JWTPayload, { sub: null }),
      forge(validPayload(), { sub: '' }),
      forge({ ...validPayload(), pid: '' }),
      forge({ ...validPayload(), cid: '' }),
    ]);

    // Act
    const claims = await Promise.all(forged.map((token) => verifySession(token, now)));

    // Assess
    expect(claims).toEqual([null, null, null, null, null]);
  });

  it('refuses a token for another issuer or another audience', async () => {
    // Prepare
    const otherIssuer = await forge(validPayload(), { iss: 'someone-else' });
    const otherAudience = await forge(validPayload(), { aud: 'another-api' });

    // Act / Assess
    expect(await verifySession(otherIssuer, now)).toBeNull();
    expect(await verifySession(otherAudience, now)).toBeNull();
  });

  it('reads mcp strictly: only true means a temporary password', async () => {
    // Prepare
    const missing = await forge({ ...validPayload(), mcp: undefined });
    const text = await forge({ ...validPayload(), mcp: 'false' });
    const yes = await forge({ ...validPayload(), mcp: true });

    // Act
    const missingClaims = await verifySession(missing, now);
    const textClaims = await verifySession(text, now);
    const yesClaims = await verifySession(yes, now);

    // Assess
    expect(missingClaims?.mustChangePassword).toBe(false);
    expect(textClaims?.mustChangePassword).toBe(false);
    expect(yesClaims?.mustChangePassword).toBe(true);
  });

  it('reads a pwi that is not a string as no password issue time', async () => {
    // Prepare: a number would never equal the stored ISO time, but null is what "none" means.
    const numeric = await forge({ ...validPayload(), pwi: 1_740_735_000 });

    // Act
    const claims = await verifySession(numeric, now);

    // Assess
    expect(claims).not.toBeNull();
    expect(claims?.passwordIssuedAt).toBeNull();
  });

  it('reads an act claim that names no partner as no impersonation', async () => {
    // Prepare
    const notPartner = await forge({ ...validPayload(), act: { sub: 'account:someone' } });
    const notObject = await forge({ ...validPayload(), act: 'partner:x' });

    // Act
    const notPartnerClaims = await verifySession(notPartner, now);
    const notObjectClaims = await verifySession(notObject, now);

    // Assess
    expect(notPartnerClaims?.actingPartnerId).toBeNull();
    expect(notObjectClaims?.actingPartnerId).toBeNull();
  });

  it.each([
    '',
    'not-a-token',
    'a.b',
    'a.b.c.d',
    'a..c',
    '.b.c',
    'a.b.c\n',
    'a.b.c d',
    'a+b.c/d.e=',
  ])('refuses garbage %j without throwing', async (token) => {
    // Act
    const claims = await verifySession(token, now);

    // Assess
    expect(claims).toBeNull();
  });

  it('refuses three well-formed parts that are not JSON', async () => {
    // Act
    const claims = await verifySession('abc.def.ghi', now);

    // Assess
    expect(claims).toBeNull();
  });
});

describe('looksLikeSessionToken', () => {
  it('recognises an issued token', async () => {
    // Prepare
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);

    // Act / Assess
    expect(looksLikeSessionToken(token)).toBe(true);
  });

  it('does not take an API key for a session token', () => {
    // Prepare
    const keys = [generateApiKey('pk'), generateApiKey('sk'), 'pk_live_abc', 'sk_abc.def'];

    // Act / Assess
    for (const key of keys) expect(looksLikeSessionToken(key)).toBe(false);
  });

  it.each([
    ['an unsecured JWT with an empty signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
    ['four parts', 'a.b.c.d'],
    ['two parts', 'a.b'],
    ['an empty part', 'a..c'],
    ['a leading space', ' a.b.c'],
    ['a trailing newline', 'a.b.c\n'],
    ['standard base64 characters', 'a+b.c/d.e'],
    ['padding', 'a.b.c='],
  ])('does not take %s for a session token', (_label, token) => {
    // Act
    const looks = looksLikeSessionToken(token);

    // Assess
    expect(looks).toBe(false);
  });

  it('does not consult the key for an API key, so a missing secret cannot turn it into a 500', async () => {
    // Prepare
    process.env.SESSION_SECRET = '';

    // Act
    const claims = await verifySession(generateApiKey('pk'), now);

    // Assess: the same setup does fail for anything shaped like a token.
    expect(claims).toBeNull();
    await expect(verifySession('abc.def.ghi', now)).rejects.toThrow(/SESSION_SECRET/);
  });
});

describe('a token without its signature', () => {
  it('holds the header and claims only, and signed again is the very token first issued', async () => {
    // Prepare
    const { token } = await issueSession(login, now, SESSION_TTL_SECONDS);

    // Act
    const unsigned = withoutSignature(token);
    const again = await signAgain(unsigned);

    // Assess
    expect(token.startsWith(`${unsigned}.`)).toBe(true);
    expect(isUnsigned(unsigned)).toBe(true);
    expect(looksLikeSessionToken(unsigned)).toBe(false);
    expect(await verifySession(unsigned, now)).toBeNull();
    expect(again).toBe(token);
    expect(await verifySession(again, now)).toMatchObject({ accountId: login.accountId });
  });
});
