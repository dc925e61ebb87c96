/**
 * What a client knowing only SPEC.md writes to create companies and accounts, log in, read lists
 * page by page and check problem documents. Both HTTP tiers use it: the end-to-end tier with
 * requests over the network (test/e2e/helpers.ts), the integration tier through the in-process
 * gateway (./gateway.ts); `httpFixtures` binds the request helpers to either.
 */
import { expect } from 'vitest';
import { strongPassword, uniqueName } from './builders.ts';

export interface HttpReply {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** The address the request comes from (127.0.0.2, …), to be another source. */
  from?: string;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<HttpReply>;

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

export const GB = 1024;

/** Fields SPEC §3 lists for "Company as returned". */
export const COMPANY_FIELDS = [
  'id',
  'name',
  'quotaMb',
  'allocatedMb',
  'freeMb',
  'usedMb',
  'accountCount',
  'licenses',
  'endGuard',
  'status',
  'suspension',
  'alertLevel',
  'adminAccountId',
  'createdAt',
  'updatedAt',
] as const;

/** Fields SPEC §3 lists for "Account as returned". */
export const ACCOUNT_FIELDS = [
  'id',
  'companyId',
  'username',
  'kind',
  'parentId',
  'plan',
  'contactId',
  'status',
  'hardQuotaMb',
  'userQuotaMb',
  'effectiveQuotaMb',
  'usedMb',
  'percentUsed',
  'ultraSafe',
  'hasSecretQuestion',
  'mustChangePassword',
  'trialEndsAt',
  'suspension',
  'alertLevel',
  'features',
  'createdAt',
  'updatedAt',
] as const;

export { strongPassword, uniqueName };

/** A reply body as a client reads it: JSON when it parses, else the text. */
export function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/**
 * Checks an error reply is the problem document SPEC §3 describes, with the given status and
 * code, and carries `x-request-id`. Returns the document.
 */
export function expectProblem(reply: HttpReply, status: number, code: string): any {
  const context = JSON.stringify(reply.body);
  expect(reply.status, context).toBe(status);
  expect(reply.headers.get('content-type'), context).toMatch(/^application\/problem\+json/);
  expect(reply.headers.get('x-request-id'), context).toBeTruthy();
  expect(reply.body, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
    errors: expect.any(Array),
  });
  for (const error of reply.body.errors) {
    expect(error).toMatchObject({ path: expect.any(String), message: expect.any(String) });
  }
  return reply.body;
}

/** The `errors[].path` of a problem document. */
export const errorPaths = (reply: HttpReply): string[] =>
  (reply.body?.errors ?? []).map((error: { path: string }) => error.path);

/** Every key of a JSON value, at any depth. */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

/** The temporary password in a welcome or reset e-mail. */
export function temporaryPasswordIn(mail: StoredEmail): string {
  const password = /Temporary password:\s*(\S+)/i.exec(mail.body.text)?.[1];
  expect(password, mail.body.text).toBeTruthy();
  return password as string;
}

export interface CompanyOptions {
  name?: string;
  quotaMb?: number | null;
  admin?: Record<string, unknown>;
  contact?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export interface CreatedCompany {
  company: any;
  account: any;
  contact: any;
  username: string;
  email: string;
}

/** The request helpers, sending through `call`. */
export function httpFixtures(call: Call) {
  /** POST /v1/companies with a fresh admin username and contact e-mail; expects 201. */
  async function createCompany(
    token: string,
    options: CompanyOptions = {},
  ): Promise<CreatedCompany> {
    const username = uniqueName('admin.');
    const email = `${username}@customer.example`;
    const reply = await call('POST', '/v1/companies', {
      token,
      body: {
        name: options.name ?? uniqueName('Company '),
        ...(options.quotaMb !== undefined ? { quotaMb: options.quotaMb } : {}),
        contact: { fullName: 'Casey Customer', email, ...options.contact },
        admin: { username, plan: 'select', ...options.admin },
        ...options.extra,
      },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { ...reply.body, username, email };
  }

  /** POST …/accounts; returns the reply whatever its status. */
  const postAccount = (token: string, companyId: string, body: Record<string, unknown>) =>
    call('POST', `/v1/companies/${companyId}/accounts`, { token, body });

  /** POST …/accounts with a fresh username; expects 201 and returns `{ account, contact }`. */
  async function createAccount(
    token: string,
    companyId: string,
    body: Record<string, unknown>,
  ): Promise<{ account: any; contact: any }> {
    const reply = await postAccount(token, companyId, { username: uniqueName('user.'), ...body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body;
  }

  /** GET of one object; expects 200 and returns its body. */
  async function read(token: string, path: string): Promise<any> {
    const reply = await call('GET', path, { token });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  }

  const getCompany = (token: string, companyId: string) =>
    read(token, `/v1/companies/${companyId}`);

  const getAccount = (token: string, companyId: string, accountId: string) =>
    read(token, `/v1/companies/${companyId}/accounts/${accountId}`);

  /**
   * Reads a whole list with `?limit=<limit>`, following `nextCursor` until it is null.
   * Returns every item in the order read and the number of pages it took.
   */
  async function readAllPages(
    token: string,
    path: string,
    limit = 1,
  ): Promise<{ items: any[]; pages: number }> {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const reply = await call('GET', `${path}${separator}${query}`, { token });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(Object.keys(reply.body).sort()).toEqual(['items', 'nextCursor']);
      expect(reply.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...reply.body.items);
      cursor = reply.body.nextCursor;
      pages++;
      if (pages > 200) throw new Error(`${path} did not end after ${pages} pages`);
    } while (cursor !== null);
    return { items, pages };
  }

  /** POST /v1/auth/login, from the default or another address; any status. */
  const login = (username: string, password: string, from?: string) =>
    call('POST', '/v1/auth/login', { body: { username, password }, ...(from ? { from } : {}) });

  /** A login that must succeed; returns the session body. */
  async function session(username: string, password: string): Promise<any> {
    const reply = await login(username, password);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  }

  /** Logs in with a temporary password, replaces it, and returns the unrestricted session. */
  async function firstLogin(username: string, temporaryPassword: string): Promise<any> {
    const first = await session(username, temporaryPassword);
    const newPassword = strongPassword('New');
    const changed = await call('POST', '/v1/auth/password', {
      token: first.token,
      body: { currentPassword: temporaryPassword, newPassword },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    return { ...changed.body, password: newPassword };
  }

  return {
    createCompany,
    postAccount,
    createAccount,
    getCompany,
    getAccount,
    readAllPages,
    login,
    session,
    firstLogin,
  };
}
