/**
 * E-mail as the stack sends it: the use case writes the outbox item, the stream reader hands it
 * to the mailer function, the mailer sends through the SES emulator and logs the send.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GB, temporaryPasswordIn, uniqueName } from '../support/http-fixtures.ts';
import {
  call,
  createAccount,
  createCompany,
  login,
  newPartner,
  type Partner,
  stackLog,
  waitForEmail,
} from './helpers.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartner('Delivery IT');
});

/** The mailer's "E-mail sent" lines for an account (a line still being written is skipped). */
const sentLines = (accountId: string): Record<string, unknown>[] =>
  stackLog()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(accountId))
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    })
    .filter((entry) => entry.message === 'E-mail sent');

describe('e-mail through the stream to the SES emulator', () => {
  it('delivers a welcome and a reset e-mail whose passwords log in, and logs each send', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 10 * GB },
    });
    const username = uniqueName('laptop.');
    const email = `${username}@delivery.example`;

    // Act
    const { account } = await createAccount(partner.apiKey, created.company.id, {
      username,
      parentId: created.account.id,
      contact: { fullName: 'Dee Livery', email },
    });
    const welcome = await waitForEmail(email, {
      subject: `Your backup account ${username} is ready`,
    });
    const first = await login(username, temporaryPasswordIn(welcome));
    const reset = await call(
      'POST',
      `/v1/companies/${created.company.id}/accounts/${account.id}/password-reset`,
      { token: partner.apiKey },
    );
    const resetMail = await waitForEmail(email, {
      subject: `New temporary password for ${username}`,
    });
    const afterReset = await login(username, temporaryPasswordIn(resetMail));

    // Assess
    expect(welcome.body.html).toContain(temporaryPasswordIn(welcome));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.mustChangePassword).toBe(true);
    expect(reset.status).toBe(202);
    expect(temporaryPasswordIn(resetMail)).not.toBe(temporaryPasswordIn(welcome));
    expect(afterReset.status, JSON.stringify(afterReset.body)).toBe(200);
    await expect.poll(() => sentLines(account.id).length, { timeout: 15_000 }).toBe(2);
    for (const line of sentLines(account.id)) {
      expect(line).toMatchObject({
        level: 'INFO',
        service: 'backup-provisioning',
        accountId: account.id,
        messageId: expect.any(String),
        function_request_id: expect.any(String),
      });
      expect(JSON.stringify(line)).not.toContain(temporaryPasswordIn(welcome));
    }
    expect(
      sentLines(account.id)
        .map((line) => line.kind)
        .sort(),
    ).toEqual(['password-reset', 'welcome']);
  });

  it('logs every request with the request id its reply carries', async () => {
    // Act: with no X-Request-Id of the caller's, the reply names the invocation's own.
    const reply = await call('GET', '/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV', {
      token: partner.apiKey,
    });

    // Assess
    const requestId = reply.headers.get('x-request-id') as string;
    expect(reply.status).toBe(404);
    await expect.poll(() => stackLog().includes(requestId), { timeout: 15_000 }).toBe(true);
  });
});
