/**
 * The pure parts of staff sign-in: the login's decision, the staff password rules, the rate
 * limit's name, the second factor's sealing and hashing, and the staff session token.
 */
import { SignJWT } from 'jose';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import {
  issueSession,
  issueStaffSession,
  SESSION_TTL_SECONDS,
  verifySession,
  verifyStaffSession,
} from '#lib/auth/sessions.ts';
import { signingKey } from '#lib/auth/signing-key.ts';
import {
  decryptTotpSecret,
  encryptTotpSecret,
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
} from '#lib/auth/staff-secrets.ts';
import { newTotpSecret } from '#lib/auth/totp.ts';
import { TEMPORARY_PASSWORD_TTL_MS } from '#lib/rules/passwords.ts';
import {
  type StaffLoginFacts,
  staffAttemptName,
  staffLoginStep,
  staffPasswordProblems,
} from '#lib/rules/staff-sessions.ts';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');

const facts = (overrides: Partial<StaffLoginFacts> = {}): StaffLoginFacts => ({
  usable: true,
  passwordMatches: true,
  mustChangePassword: false,
  passwordIssuedAt: new Date(NOW - 1000).toISOString(),
  mfaEnabled: false,
  codeGiven: false,
  nowMs: NOW,
  ...overrides,
});

describe('staffLoginStep', () => {
  it('answers no member and a wrong password alike, whatever else holds', () => {
    expect(staffLoginStep(facts({ usable: false }))).toBe('invalidCredentials');
    expect(staffLoginStep(facts({ passwordMatches: false }))).toBe('invalidCredentials');
    expect(
      staffLoginStep(facts({ passwordMatches: false, mfaEnabled: true, codeGiven: true })),
    ).toBe('invalidCredentials');
  });

  it('refuses a temporary password from the moment seven days have passed', () => {
    const issued = (ms: number) => new Date(NOW - ms).toISOString();
    const temporary = { mustChangePassword: true };
    expect(
      staffLoginStep(
        facts({ ...temporary, passwordIssuedAt: issued(TEMPORARY_PASSWORD_TTL_MS - 1) }),
      ),
    ).toBe('open');
    expect(
      staffLoginStep(facts({ ...temporary, passwordIssuedAt: issued(TEMPORARY_PASSWORD_TTL_MS) })),
    ).toBe('temporaryPasswordExpired');
    expect(staffLoginStep(facts({ ...temporary, passwordIssuedAt: null }))).toBe(
      'temporaryPasswordExpired',
    );
    // A chosen password does not expire.
    expect(
      staffLoginStep(facts({ passwordIssuedAt: issued(10 * TEMPORARY_PASSWORD_TTL_MS) })),
    ).toBe('open');
  });

  it('asks for the code when MFA is on, and checks one given', () => {
    expect(staffLoginStep(facts({ mfaEnabled: true }))).toBe('mfaRequired');
    expect(staffLoginStep(facts({ mfaEnabled: true, codeGiven: true }))).toBe('checkCode');
    expect(staffLoginStep(facts({ codeGiven: true }))).toBe('open');
  });
});

describe('staff passwords and attempts', () => {
  it('refuses the e-mail and its local part, and keeps the common rules', () => {
    expect(staffPasswordProblems('Hanna.Staff', 'hanna.staff@partner.example')).toContain(
      'Must not be the username.',
    );
    expect(
      staffPasswordProblems('hanna.staff@partner.example', 'hanna.staff@partner.example'),
    ).toContain('Must not be the e-mail.');
    expect(staffPasswordProblems('short', 'a@b.example')).toHaveLength(1);
    expect(staffPasswordProblems('a long passphrase of mine', 'hanna@partner.example')).toEqual([]);
  });

  it('names a staff attempt apart from any username', () => {
    expect(staffAttemptName('ops@partner.example')).toBe('staff:ops@partner.example');
    // ':' is no username character, so no account's username can take this name.
    expect(staffAttemptName('ops@partner.example')).not.toMatch(/^[a-z0-9][a-z0-9._@+-]*$/);
  });
});

describe('the second factor at rest', () => {
  it('seals a TOTP secret for one member only, readable back with the key', async () => {
    const secret = newTotpSecret();
    const staffId = ulid();
    const sealed = await encryptTotpSecret(staffId, secret);
    const again = await encryptTotpSecret(staffId, secret);

    expect(sealed).not.toContain(secret);
    expect(again).not.toBe(sealed);
    expect(await decryptTotpSecret(staffId, sealed)).toBe(secret);
    expect(await decryptTotpSecret(ulid(), sealed)).toBeNull();
    const [version, iv, text, tag] = sealed.split('.');
    const flipped = `${text?.[0] === 'A' ? 'B' : 'A'}${text?.slice(1)}`;
    expect(await decryptTotpSecret(staffId, [version, iv, flipped, tag].join('.'))).toBeNull();
    expect(await decryptTotpSecret(staffId, 'not sealed')).toBeNull();
  });

  it('makes ten distinct recovery codes of 80 bits, hashed whatever their case and dashes', async () => {
    const codes = newRecoveryCodes();
    const staffId = ulid();
    const [code] = codes as [string];

    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const each of codes) expect(each).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(looksLikeRecoveryCode(code)).toBe(true);
    expect(looksLikeRecoveryCode(code.toUpperCase().replaceAll('-', ''))).toBe(true);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    const hash = await hashRecoveryCode(staffId, code);
    expect(hash).not.toContain(code.replaceAll('-', ''));
    expect(await hashRecoveryCode(staffId, code.toUpperCase().replaceAll('-', ' '))).toBe(hash);
    expect(await hashRecoveryCode(ulid(), code)).not.toBe(hash);
  });
});

describe('the staff session token', () => {
  const now = new Date(NOW);

  it('carries the partner, the member and its session version until it expires', async () => {
    const claims = { partnerId: ulid(), staffId: ulid(), sessionVersion: 3 };
    const { token, expiresAt } = await issueStaffSession(claims, now);

    expect(Date.parse(expiresAt)).toBe(NOW + SESSION_TTL_SECONDS * 1000);
    expect(await verifyStaffSession(token, now)).toEqual({
      ...claims,
      expiresAtSeconds: NOW / 1000 + SESSION_TTL_SECONDS,
    });
    expect(await verifyStaffSession(token, new Date(expiresAt))).toBeNull();
    // Neither kind of token passes for the other.
    expect(await verifySession(token, now)).toBeNull();
    const account = await issueSession(
      {
        role: 'companyAdmin',
        partnerId: claims.partnerId,
        companyId: ulid(),
        accountId: ulid(),
        mustChangePassword: false,
        actingPartnerId: null,
        actingStaffId: null,
        passwordIssuedAt: now.toISOString(),
      },
      now,
      SESSION_TTL_SECONDS,
    );
    expect(await verifyStaffSession(account.token, now)).toBeNull();
  });

  it('refuses a staff token without a whole session version or with a tampered signature', async () => {
    const sign = (payload: Record<string, unknown>) =>
      signingKey().then((key) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(ulid())
          .setIssuer('backup-provisioning')
          .setAudience('backup-provisioning-api')
          .setIssuedAt(NOW / 1000)
          .setExpirationTime(NOW / 1000 + 600)
          .sign(key),
      );
    const control = await sign({ role: 'staff', pid: ulid(), sv: 1 });
    const noVersion = await sign({ role: 'staff', pid: ulid() });
    const textVersion = await sign({ role: 'staff', pid: ulid(), sv: '1' });
    const { token } = await issueStaffSession(
      { partnerId: ulid(), staffId: ulid(), sessionVersion: 1 },
      now,
    );
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;

    expect(await verifyStaffSession(control, now)).not.toBeNull();
    expect(await verifyStaffSession(noVersion, now)).toBeNull();
    expect(await verifyStaffSession(textVersion, now)).toBeNull();
    expect(await verifyStaffSession(tampered, now)).toBeNull();
  });
});

describe('an impersonation held by a staff member', () => {
  it("names the member's session version, which ends it with the member's sessions", async () => {
    const now = new Date(NOW);
    const partnerId = ulid();
    const base = {
      role: 'companyAdmin' as const,
      partnerId,
      companyId: ulid(),
      accountId: ulid(),
      mustChangePassword: false,
      actingPartnerId: partnerId,
      passwordIssuedAt: null,
    };
    const byMember = await issueSession(
      { ...base, actingStaffId: ulid(), actingStaffSessionVersion: 4 },
      now,
      600,
    );
    const byKey = await issueSession(
      { ...base, actingStaffId: null, actingStaffSessionVersion: 4 },
      now,
      600,
    );

    expect(await verifySession(byMember.token, now)).toMatchObject({
      actingStaffSessionVersion: 4,
    });
    expect(await verifySession(byKey.token, now)).not.toHaveProperty('actingStaffSessionVersion');
  });
});
