/**
 * Parallel bursts against one username through the gateway, as `for i in $(seq 20); do curl … &
 * done` sends them: a burst gets five checks, not more (SPEC §2.4), whatever addresses it uses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createAccount, createCompany, login } from '../../support/gateway.ts';
import { expectProblem, GB, type HttpReply, strongPassword } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, type Partner } from './support.ts';

let partner: Partner;

const BURST = 20;

beforeAll(async () => {
  partner = await newPartnerWithKey('Burst IT');
});

/** The replies of a burst: at most five checked (401 `checked`), every other one a 429. */
function expectAtMostFiveChecked(replies: HttpReply[], checked: string): void {
  const answered = replies.filter((reply) => reply.status === 401);
  const refused = replies.filter((reply) => reply.status === 429);
  for (const reply of answered) expectProblem(reply, 401, checked);
  for (const reply of refused) {
    expectProblem(reply, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  expect(answered.length).toBeLessThanOrEqual(5);
  expect(answered.length).toBeGreaterThan(0);
  expect(answered.length + refused.length).toBe(BURST);
}

describe('rate limit: a burst of parallel guesses at one username', () => {
  it('20 wrong logins at once: at most five answered 401, the rest 429 with Retry-After', async () => {
    // Prepare
    const password = strongPassword('Adm');
    const { username } = await createCompany(partner.apiKey, {
      quotaMb: 10 * GB,
      admin: { password, hardQuotaMb: 5 * GB },
    });

    // Act
    const replies = await Promise.all(
      Array.from({ length: BURST }, (_, i) => login(username, `wrong-${i}-password`)),
    );
    const right = await login(username, password);

    // Assess
    expectAtMostFiveChecked(replies, 'INVALID_CREDENTIALS');
    // The burst's failures fill the window: the right password waits it out too.
    expectProblem(right, 429, 'TOO_MANY_ATTEMPTS');
  });

  it('20 wrong secret answers at once from four addresses: at most five answered 401', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 10 * GB,
      admin: { password: strongPassword('Adm'), hardQuotaMb: 5 * GB },
    });
    const { account } = await createAccount(partner.apiKey, created.company.id, {
      plan: 'basic',
      password: strongPassword(),
      secretQuestion: 'City?',
      secretAnswer: 'Oslo',
    });

    // Act
    const replies = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        call('POST', '/v1/auth/recover', {
          body: {
            username: account.username,
            secretAnswer: `Bergen ${i}`,
            newPassword: strongPassword('Rec'),
          },
          from: `198.51.100.${10 + (i % 4)}`,
        }),
      ),
    );

    // Assess: recovery allows 5 failed answers from all addresses together.
    expectAtMostFiveChecked(replies, 'INVALID_SECRET_ANSWER');
  });
});
