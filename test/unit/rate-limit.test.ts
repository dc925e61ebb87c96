import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, tooManyAttempts } from '#lib/errors.ts';
import {
  type FailureWindow,
  hasPlace,
  isTrusted,
  MAX_FAILURES,
  MAX_FAILURES_PER_USERNAME,
  retryAfterSeconds,
  TRUST_MS,
  WINDOW_MS,
} from '#lib/rules/rate-limit.ts';

const startsAt = '2025-03-01T12:00:00.000Z';
const startsMs = Date.parse(startsAt);

/** A window whose places are all held by failures (no attempt is being checked). */
const windowOf = (failures: number, windowStartsAt = startsAt): FailureWindow => ({
  failures,
  held: failures,
  windowStartsAt,
});

describe('the limits', () => {
  it('are 5 failures in 15 minutes', () => {
    // Prepare
    const fifteenMinutesMs = 900_000;

    // Act / Assess: the numbers are the spec's, so a change to them must be deliberate.
    expect(MAX_FAILURES).toBe(5);
    expect(WINDOW_MS).toBe(fifteenMinutesMs);
  });

  it('are 50 failed logins and 5 failed answers from all sources together; trust lasts 30 days', () => {
    // Act / Assess
    expect(MAX_FAILURES_PER_USERNAME).toEqual({ login: 50, recover: 5 });
    expect(TRUST_MS).toBe(30 * 86_400_000);
  });
});

describe('isTrusted', () => {
  it('trusts until the last millisecond before the end, not at it', () => {
    // Prepare
    const until = new Date(startsMs + TRUST_MS).toISOString();

    // Act
    const before = isTrusted(until, startsMs + TRUST_MS - 1);
    const at = isTrusted(until, startsMs + TRUST_MS);

    // Assess
    expect(before).toBe(true);
    expect(at).toBe(false);
  });

  it('trusts no source without a time or with an unreadable one', () => {
    // Act / Assess
    expect(isTrusted(null, startsMs)).toBe(false);
    expect(isTrusted('not a time', startsMs)).toBe(false);
  });
});

describe('the limit for all sources together', () => {
  it('blocks at 50 failures and asks for the rest of the window', () => {
    // Prepare
    const cap = MAX_FAILURES_PER_USERNAME.login;
    const full = windowOf(cap);
    const nearlyFull = windowOf(cap - 1);
    const tenMinutesIn = startsMs + 10 * 60_000;

    // Act
    const open = hasPlace(nearlyFull, tenMinutesIn, cap);
    const wait = retryAfterSeconds(full, tenMinutesIn, cap);

    // Assess
    expect(open).toBe(true);
    expect(wait).toBe(5 * 60);
  });
});

describe('hasPlace', () => {
  it('has a place without a window', () => {
    // Act
    const place = hasPlace(null, startsMs);

    // Assess
    expect(place).toBe(true);
  });

  it('keeps a full window closed from its first millisecond to the last before 15 minutes', () => {
    // Prepare
    const window = windowOf(MAX_FAILURES);

    // Act
    const atStart = hasPlace(window, startsMs);
    const lastMs = hasPlace(window, startsMs + WINDOW_MS - 1);

    // Assess
    expect(atStart).toBe(false);
    expect(lastMs).toBe(false);
  });

  it('opens once exactly 15 minutes have passed', () => {
    // Prepare
    const window = windowOf(MAX_FAILURES);

    // Act
    const atEnd = hasPlace(window, startsMs + WINDOW_MS);
    const later = hasPlace(window, startsMs + WINDOW_MS + 1);

    // Assess
    expect(atEnd).toBe(true);
    expect(later).toBe(true);
  });

  it('keeps a full window closed to an attempt whose clock reads earlier than its start', () => {
    // Prepare: an attempt that read the time later, or on a host whose clock is ahead, opened it.
    const window = windowOf(MAX_FAILURES);

    // Act
    const justBefore = hasPlace(window, startsMs - 1);
    const longBefore = hasPlace(window, startsMs - WINDOW_MS);

    // Assess
    expect(justBefore).toBe(false);
    expect(longBefore).toBe(false);
  });

  it.each(['not a date', '', '2025-13-45T99:99:99Z'])(
    'treats an unreadable window start %j as no window',
    (windowStartsAt) => {
      // Prepare
      const window = windowOf(MAX_FAILURES + 10, windowStartsAt);

      // Act
      const place = hasPlace(window, startsMs);

      // Assess
      expect(place).toBe(true);
    },
  );
});

describe('retryAfterSeconds', () => {
  it('lets the attempt through without a window', () => {
    // Act
    const wait = retryAfterSeconds(null, startsMs);

    // Assess
    expect(wait).toBe(0);
  });

  it('lets the attempt through at 4 failures and blocks it at exactly 5', () => {
    // Prepare
    const now = startsMs + 60_000;

    // Act
    const atFour = retryAfterSeconds(windowOf(MAX_FAILURES - 1), now);
    const atFive = retryAfterSeconds(windowOf(MAX_FAILURES), now);
    const atSix = retryAfterSeconds(windowOf(MAX_FAILURES + 1), now);

    // Assess
    expect(atFour).toBe(0);
    expect(atFive).toBe(840);
    expect(atSix).toBe(840);
  });

  it('asks for the whole window at its first millisecond', () => {
    // Act
    const wait = retryAfterSeconds(windowOf(MAX_FAILURES), startsMs);

    // Assess
    expect(wait).toBe(900);
  });

  it('rounds up a part-second and never says 0 while still blocked', () => {
    // Prepare
    const window = windowOf(MAX_FAILURES);

    // Act
    const oneMsLeft = retryAfterSeconds(window, startsMs + WINDOW_MS - 1);
    const justOverASecondLeft = retryAfterSeconds(window, startsMs + WINDOW_MS - 1001);

    // Assess: 0 would tell a client to retry at once into a refusal.
    expect(oneMsLeft).toBe(1);
    expect(justOverASecondLeft).toBe(2);
  });

  it('lets the attempt through at exactly 15 minutes', () => {
    // Act
    const wait = retryAfterSeconds(windowOf(MAX_FAILURES), startsMs + WINDOW_MS);

    // Assess
    expect(wait).toBe(0);
  });

  it('asks for the wait until the window ends by this clock when it starts later than it reads', () => {
    // Act
    const behind = retryAfterSeconds(windowOf(MAX_FAILURES), startsMs - 1);

    // Assess: 900 seconds and the millisecond the clocks differ by, rounded up.
    expect(behind).toBe(WINDOW_MS / 1000 + 1);
  });

  it('lets the attempt through when the full window is unreadable', () => {
    // Act
    const unreadable = retryAfterSeconds(windowOf(MAX_FAILURES, 'yesterday-ish'), startsMs);

    // Assess
    expect(unreadable).toBe(0);
  });

  it('property: while blocked the wait is 1 to 900 seconds, and waiting it is enough', () => {
    // Prepare
    const elapsed = fc.integer({ min: 0, max: WINDOW_MS - 1 });
    const failures = fc.integer({ min: MAX_FAILURES, max: 1000 });

    // Act / Assess
    fc.assert(
      fc.property(elapsed, failures, (sinceStart, count) => {
        const window = windowOf(count);
        const now = startsMs + sinceStart;
        const wait = retryAfterSeconds(window, now);
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(900);
        // Retrying as told succeeds; retrying a second earlier would still be refused.
        expect(retryAfterSeconds(window, now + wait * 1000)).toBe(0);
        expect(retryAfterSeconds(window, now + (wait - 1) * 1000)).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: below 5 live failures the wait is always 0', () => {
    // Prepare
    const offset = fc.integer({ min: -2 * WINDOW_MS, max: 2 * WINDOW_MS });
    const failures = fc.integer({ min: 0, max: MAX_FAILURES - 1 });

    // Act / Assess
    fc.assert(
      fc.property(offset, failures, (sinceStart, count) => {
        expect(retryAfterSeconds(windowOf(count), startsMs + sinceStart)).toBe(0);
      }),
    );
  });
});

describe('tooManyAttempts', () => {
  it('is a 429 carrying the wait for the Retry-After header', () => {
    // Act
    const error = tooManyAttempts('login', 42);

    // Assess
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(error.extensions).toEqual({ retryAfterSeconds: 42 });
    expect(error.detail).toBe('Too many failed logins for this username; try again in 42 seconds.');
  });

  it('names recovery attempts for the recover kind', () => {
    // Act
    const error = tooManyAttempts('recover', 7);

    // Assess
    expect(error.detail).toBe(
      'Too many failed recovery attempts for this username; try again in 7 seconds.',
    );
  });
});

describe('places held by attempts still being checked', () => {
  it('ask for a retry in one second, not for the rest of the window', () => {
    // Prepare: 2 failures and 3 attempts in flight hold all 5 places.
    const busy: FailureWindow = { failures: 2, held: MAX_FAILURES, windowStartsAt: startsAt };
    const now = startsMs + 60_000;

    // Act
    const wait = retryAfterSeconds(busy, now);

    // Assess
    expect(hasPlace(busy, now)).toBe(false);
    expect(wait).toBe(1);
    expect(tooManyAttempts('login', wait).detail).toBe(
      'Too many logins for this username; try again in 1 second.',
    );
  });

  it('leave a place while fewer than 5 are held, and free them all when the window ends', () => {
    // Prepare
    const partly: FailureWindow = { failures: 3, held: MAX_FAILURES - 1, windowStartsAt: startsAt };
    const full: FailureWindow = { failures: 1, held: MAX_FAILURES, windowStartsAt: startsAt };

    // Act / Assess
    expect(hasPlace(partly, startsMs + 1000)).toBe(true);
    expect(hasPlace(full, startsMs + WINDOW_MS)).toBe(true);
    expect(retryAfterSeconds(full, startsMs + WINDOW_MS)).toBe(0);
  });
});
