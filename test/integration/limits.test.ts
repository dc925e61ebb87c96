/**
 * The rate limit under parallel bursts, in-process against DynamoDB Local: however the attempts
 * interleave and whatever clock readings they took (Lambdas read the time when they start, on
 * hosts whose clocks differ), no more of them get checked in a window than its limit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '#lib/errors.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { login, recover } from '#lib/provisioning/identity.ts';
import {
  type AttemptKind,
  MAX_FAILURES,
  MAX_FAILURES_PER_USERNAME,
} from '#lib/rules/rate-limit.ts';
import {
  liftLimitsSteps,
  readFailureWindow,
  recordFailure,
  reserveAttempt,
} from '#lib/store/limits.ts';
import { transact } from '#lib/store/table.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';

/**
 * Clock readings spread over two seconds either side of `base`, in an order that puts later
 * readings before earlier ones: the first attempts to arrive open the window "ahead" of the rest.
 */
const skewed = (base: Date, i: number) => new Date(base.getTime() + ((i * 7) % 5) * -500 + 1000);

/** Every burst of the file, for the figures printed when it ends. */
const bursts = { count: 0, attempts: 0, checked: 0 };
afterAll(() => {
  console.log(
    `rate limit: ${bursts.count} parallel bursts, ${bursts.attempts} attempts, ${bursts.checked} checked, none over its limit`,
  );
});

/** How many of the attempts got a ticket (would have been checked); each then fails. */
async function burst(
  attempts: Array<{ kind: AttemptKind; username: string; source: string; now: Date }>,
): Promise<{ checked: number; refused: number; checkedBySource: Map<string, number> }> {
  const outcomes = await Promise.all(
    attempts.map(async ({ now, ...attempt }) => {
      const reserved = await reserveAttempt(attempt, now);
      if (!('ticket' in reserved)) return null;
      await recordFailure(reserved.ticket);
      return attempt.source;
    }),
  );
  const checkedBySource = new Map<string, number>();
  for (const source of outcomes) {
    if (source !== null) checkedBySource.set(source, (checkedBySource.get(source) ?? 0) + 1);
  }
  const checked = outcomes.filter((source) => source !== null).length;
  bursts.count += 1;
  bursts.attempts += attempts.length;
  bursts.checked += checked;
  return { checked, refused: attempts.length - checked, checkedBySource };
}

const codesOf = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.map((outcome) =>
    outcome.status === 'rejected' && outcome.reason instanceof AppError
      ? outcome.reason.code
      : outcome.status === 'rejected'
        ? String(outcome.reason)
        : 'fulfilled',
  );

const tally = (codes: string[]) =>
  codes.reduce<Record<string, number>>((all, code) => {
    all[code] = (all[code] ?? 0) + 1;
    return all;
  }, {});

describe('a burst of parallel attempts at one username, from one source', () => {
  it.each([
    ['login', 20],
    ['login', 40],
    ['recover', 20],
    ['recover', 40],
  ] as const)(
    '%s × %i with skewed clocks: at most five are checked, the rest refused',
    async (kind, n) => {
      // Prepare
      const username = uniqueUsername('burst');
      const base = new Date();
      const source = '198.51.100.40';

      // Act
      const { checked, refused } = await burst(
        Array.from({ length: n }, (_, i) => ({ kind, username, source, now: skewed(base, i) })),
      );

      // Assess
      expect(checked).toBeLessThanOrEqual(MAX_FAILURES);
      expect(checked).toBeGreaterThan(0);
      expect(refused).toBe(n - checked);
      const window = await readFailureWindow(kind, username, source);
      expect(window?.failures).toBe(checked);
      expect(window?.held).toBe(checked);
    },
  );

  it('lets an attempt whose clock reads earlier join the window, not replace it', async () => {
    // Prepare: a window opened and filled by attempts whose clocks read a second later.
    const username = uniqueUsername('behind');
    const source = '198.51.100.41';
    const ahead = new Date();
    const behind = new Date(ahead.getTime() - 1000);
    const first = await burst(
      Array.from({ length: MAX_FAILURES }, () => ({ kind: 'login', username, source, now: ahead })),
    );

    // Act
    const late = await reserveAttempt({ kind: 'login', username, source }, behind);

    // Assess
    expect(first.checked).toBe(MAX_FAILURES);
    expect('refusal' in late).toBe(true);
    expect(await readFailureWindow('login', username, source)).toEqual({
      failures: MAX_FAILURES,
      held: MAX_FAILURES,
      windowStartsAt: ahead.toISOString(),
    });
  });
});

describe('a burst of parallel attempts at one username, from many sources', () => {
  it.each([
    ['login', MAX_FAILURES_PER_USERNAME.login * 2],
    ['recover', 20],
    ['recover', 40],
  ] as const)('%s × %i, one per source: at most the username limit is checked', async (kind, n) => {
    // Prepare
    const username = uniqueUsername('many');
    const base = new Date();

    // Act
    const { checked } = await burst(
      Array.from({ length: n }, (_, i) => ({
        kind,
        username,
        source: `10.${kind === 'login' ? 1 : 2}.${i}.1`,
        now: skewed(base, i),
      })),
    );

    // Assess
    expect(checked).toBeLessThanOrEqual(MAX_FAILURES_PER_USERNAME[kind]);
    expect(checked).toBeGreaterThan(0);
    expect((await readFailureWindow(kind, username))?.failures).toBe(checked);
  });

  it('login × 40 from 4 sources: at most five checked per source', async () => {
    // Prepare
    const username = uniqueUsername('four');
    const base = new Date();

    // Act
    const { checkedBySource } = await burst(
      Array.from({ length: 40 }, (_, i) => ({
        kind: 'login',
        username,
        source: `10.3.${i % 4}.1`,
        now: skewed(base, i),
      })),
    );

    // Assess
    expect(checkedBySource.size).toBe(4);
    for (const checked of checkedBySource.values())
      expect(checked).toBeLessThanOrEqual(MAX_FAILURES);
  });
});

describe('a burst after the limits were lifted', () => {
  it.each([
    ['at the very millisecond of the lift', 0],
    ['with clocks behind the one that lifted', -2000],
    ['with clocks ahead of the one that lifted', 2000],
  ])('checks at most five from one source %s', async (_, offsetMs) => {
    // Prepare: an old window of the source, full, then the limits lifted (a reset, a recovery).
    const username = uniqueUsername('lifted');
    const source = '198.51.100.42';
    const start = new Date(Date.now() - 60_000);
    const lift = new Date(start.getTime() + 30_000);
    await burst(
      Array.from({ length: MAX_FAILURES }, () => ({ kind: 'login', username, source, now: start })),
    );
    await transact(await liftLimitsSteps(username, lift));
    const now = new Date(lift.getTime() + offsetMs);

    // Act: one after another, then a parallel burst.
    let inSequence = 0;
    for (let i = 0; i < 10; i++) {
      const reserved = await reserveAttempt({ kind: 'login', username, source }, now);
      if ('ticket' in reserved) {
        inSequence++;
        await recordFailure(reserved.ticket);
      }
    }
    const parallel = await burst(
      Array.from({ length: 20 }, (_, i) => ({
        kind: 'login',
        username,
        source,
        now: skewed(now, i),
      })),
    );

    // Assess: the lift gave the source a new window of five, and only one.
    expect(inSequence).toBe(MAX_FAILURES);
    expect(parallel.checked).toBe(0);
  });
});

describe('the use cases under a burst', () => {
  it('login: 20 wrong passwords at once, with skewed clocks, get at most five comparisons', async () => {
    // Prepare
    const scope = newScope({ name: 'Burst login IT' });
    const body = companyBody();
    body.admin.password = `Adm-${uniqueUsername('pw')}-Q7!`;
    await createCompany(scope, body);
    const base = new Date();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        login(
          { username: body.admin.username, password: `wrong-${i}-password` },
          skewed(base, i),
          '203.0.113.50',
        ),
      ),
    );

    // Assess
    const counts = tally(codesOf(outcomes));
    expect(counts.INVALID_CREDENTIALS ?? 0).toBeLessThanOrEqual(MAX_FAILURES);
    expect(counts.INVALID_CREDENTIALS ?? 0).toBeGreaterThan(0);
    expect((counts.INVALID_CREDENTIALS ?? 0) + (counts.TOO_MANY_ATTEMPTS ?? 0)).toBe(20);
    const window = await readFailureWindow('login', body.admin.username, '203.0.113.50');
    expect(window?.failures).toBe(counts.INVALID_CREDENTIALS);
  });

  it('recover: 20 wrong answers at once from 20 sources get at most five comparisons', async () => {
    // Prepare
    const scope = newScope({ name: 'Burst recover IT' });
    const body = companyBody({ admin: { hardQuotaMb: 5120 } });
    const created = await createCompany(scope, body);
    const username = uniqueUsername('user');
    await createAccount(inCompany(scope, created.company.id), {
      username,
      plan: 'basic',
      secretQuestion: 'Street?',
      secretAnswer: 'Elm',
    });
    const base = new Date();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        recover(
          { username, secretAnswer: `Oak ${i}`, newPassword: `New-${uniqueUsername('pw')}-Q7!` },
          skewed(base, i),
          `10.4.${i}.1`,
        ),
      ),
    );

    // Assess
    const counts = tally(codesOf(outcomes));
    expect(counts.INVALID_SECRET_ANSWER ?? 0).toBeLessThanOrEqual(
      MAX_FAILURES_PER_USERNAME.recover,
    );
    expect(counts.INVALID_SECRET_ANSWER ?? 0).toBeGreaterThan(0);
    expect((counts.INVALID_SECRET_ANSWER ?? 0) + (counts.TOO_MANY_ATTEMPTS ?? 0)).toBe(20);
    expect((await readFailureWindow('recover', username))?.failures).toBe(
      counts.INVALID_SECRET_ANSWER,
    );
  });
});
