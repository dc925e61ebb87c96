import { describe, expect, it } from 'vitest';
import {
  acceptedStep,
  codeAt,
  newTotpSecret,
  otpauthUrl,
  stepAt,
  TOTP_PERIOD_SECONDS,
} from '#lib/auth/totp.ts';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const NOW = Date.parse('2026-12-01T09:00:10.000Z');

describe('TOTP codes', () => {
  it('match RFC 6238’s SHA-1 test vector', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits; we use 6).
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(codeAt(rfcSecret, 59_000)).toBe('287082');
  });

  it('are accepted one step either side of now, and not two', () => {
    const secret = newTotpSecret();
    const now = stepAt(NOW);
    expect(acceptedStep(secret, codeAt(secret, NOW), NOW, null)).toBe(now);
    expect(acceptedStep(secret, codeAt(secret, NOW - STEP_MS), NOW, null)).toBe(now - 1);
    expect(acceptedStep(secret, codeAt(secret, NOW + STEP_MS), NOW, null)).toBe(now + 1);
    expect(acceptedStep(secret, codeAt(secret, NOW - 2 * STEP_MS), NOW, null)).toBeNull();
    expect(acceptedStep(secret, codeAt(secret, NOW + 2 * STEP_MS), NOW, null)).toBeNull();
  });

  it('are refused for a step at or before the last one accepted', () => {
    const secret = newTotpSecret();
    const now = stepAt(NOW);
    const code = codeAt(secret, NOW);
    expect(acceptedStep(secret, code, NOW, now)).toBeNull();
    expect(acceptedStep(secret, codeAt(secret, NOW - STEP_MS), NOW, now - 1)).toBeNull();
    expect(acceptedStep(secret, code, NOW, now - 1)).toBe(now);
  });

  it('refuse another secret’s code and anything not six digits', () => {
    const secret = newTotpSecret();
    const other = newTotpSecret();
    expect(secret).not.toBe(other);
    expect(acceptedStep(secret, codeAt(other, NOW), NOW, null)).toBeNull();
    for (const code of ['', '12345', '1234567', 'abcdef', ` ${codeAt(secret, NOW)}`]) {
      expect(acceptedStep(secret, code, NOW, null)).toBeNull();
    }
  });

  it('enrol through an otpauth URL naming the account, issuer and parameters', () => {
    const secret = newTotpSecret();
    const url = new URL(otpauthUrl(secret, 'ana@example.com', 'Acme IT'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Acme IT');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
  });
});
