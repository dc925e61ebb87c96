import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../client/index.ts';
import { assertConforms } from '../support/conformance.ts';
import { uniqueName } from '../support/http-fixtures.ts';
import { api, cli, newPartner, scanTable, waitForEmail } from './helpers.ts';

/** The generated client, with every response it receives held to the document too. */
const client = (token: string) =>
  createApiClient(api(), {
    token,
    fetch: async (request: Request) => {
      const response = await fetch(request);
      const text = await response.clone().text();
      assertConforms({
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : null,
      });
      return response;
    },
  });

describe('the README walk-through over HTTP', () => {
  it("prints the operator commands' keys exactly as SPEC names them", async () => {
    // Act
    const partner = await cli('partner:create', '--name', 'Acme IT');
    const storage = await cli('storage-key:create');

    // Assess
    expect(Object.keys(partner)).toEqual(['partnerId', 'apiKey']);
    expect(partner.partnerId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(partner.apiKey).toMatch(/^pk_/);
    expect(Object.keys(storage)).toEqual(['apiKey']);
    expect(storage.apiKey).toMatch(/^sk_/);
  });

  it('creates HighTech with a 10 GB pool whose admin gets the whole pool and a welcome e-mail', async () => {
    // Prepare
    const partner = await newPartner('Acme IT');
    const api = client(partner.apiKey);
    const username = uniqueName('hightech.admin');
    const email = `${username}@hightech.example`;

    // Act
    const created = await api.POST('/v1/companies', {
      body: {
        name: 'HighTech',
        quotaMb: 10240,
        contact: { fullName: 'Hanna Tech', email },
        admin: { username, plan: 'select' },
      },
    });

    // Assess
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('x-request-id')).toBeTruthy();
    if (!created.data) throw new Error(`create company: ${created.error?.detail}`);
    const { company, account } = created.data;
    expect(company).toMatchObject({
      name: 'HighTech',
      quotaMb: 10240,
      allocatedMb: 10240,
      freeMb: 0,
      accountCount: 1,
      status: 'active',
    });
    expect(account).toMatchObject({
      username,
      kind: 'parent',
      plan: 'select',
      hardQuotaMb: 10240,
      effectiveQuotaMb: 10240,
      mustChangePassword: true,
    });
    expect(company.adminAccountId).toBe(account.id);

    const mail = await waitForEmail(email);
    const password = /Temporary password:\s*(\S+)/i.exec(mail.body.text)?.[1];
    expect(password, mail.body.text).toBeTruthy();
    expect(mail.subject).not.toContain(password as string);
    expect(mail.body.html).toContain(password as string);

    const everything = JSON.stringify(await scanTable());
    expect(everything).toContain(username);
    expect(everything).not.toContain(password as string);

    const fetched = await api.GET('/v1/companies/{companyId}/accounts/{accountId}', {
      params: { path: { companyId: company.id, accountId: account.id } },
    });
    expect(fetched.response.status).toBe(200);
    expect(fetched.data?.hardQuotaMb).toBe(10240);
    expect(JSON.stringify(fetched.data)).not.toMatch(/hash|secretAnswer/i);
  });

  it('is a program a partner writes with the client generated from the document', async () => {
    // Prepare
    const partner = await newPartner('Acme IT');
    const api = client(partner.apiKey);
    const username = uniqueName('hightech.admin');

    // Act: create a company with a 50 GB pool whose admin holds 10 GB, add a sub-account to the
    // admin account, read the usage table.
    const created = await api.POST('/v1/companies', {
      body: {
        name: 'HighTech',
        quotaMb: 51200,
        contact: { fullName: 'Hanna Tech', email: `${username}@hightech.example` },
        admin: { username, plan: 'select', hardQuotaMb: 10240 },
      },
    });
    if (!created.data) throw new Error(`create company: ${created.error?.detail}`);
    const { company, account: admin } = created.data;
    const sub = await api.POST('/v1/companies/{companyId}/accounts', {
      params: { path: { companyId: company.id } },
      body: { username: `${username}.laptop`, parentId: admin.id },
    });
    const usage = await api.GET('/v1/companies/{companyId}/usage', {
      params: { path: { companyId: company.id }, query: { limit: 10 } },
    });
    const refused = await api.POST('/v1/companies/{companyId}/accounts', {
      params: { path: { companyId: company.id } },
      body: { username: `${username}.big`, parentId: admin.id, hardQuotaMb: 102400 },
    });

    // Assess
    expect(created.response.headers.get('location')).toBe(`/v1/companies/${company.id}`);
    expect(sub.data?.account).toMatchObject({ kind: 'sub', parentId: admin.id, hardQuotaMb: 5120 });
    expect(usage.data?.items.map((row) => row.username).sort()).toEqual(
      [username, `${username}.laptop`].sort(),
    );
    expect(usage.data?.totals.sizeMb).toBe(10240 + 5120);
    expect(refused.response.status).toBe(409);
    expect(refused.error?.code).toBe('POOL_EXCEEDED');
  });
});
