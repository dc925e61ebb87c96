/**
 * Small helpers for the end-to-end tests: what an outside client knowing only SPEC.md would
 * write to create companies and accounts, read lists page by page and check problem documents.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { e2ePorts } from '../support/ports.ts';
import { call, type HttpReply, type StoredEmail, scanTable, uniqueName } from './helpers.ts';

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
  'features',
  'createdAt',
  'updatedAt',
] as const;

export type Partner = { partnerId: string; apiKey: string };

const run = promisify(execFile);
const SCRIPTS = {
  'partner:create': 'scripts/partner-create.ts',
  'storage-key:create': 'scripts/storage-key-create.ts',
} as const;

/**
 * The operator CLI's own script, as `npm run <script>` runs it but without npm's start-up (about
 * a second per run), against the e2e stack's DynamoDB. helpers.ts `cli()` goes through npm.
 */
export async function operator(script: keyof typeof SCRIPTS, ...args: string[]) {
  const { stdout } = await run('node', ['--import', 'tsx', SCRIPTS[script], ...args], {
    env: { ...process.env, DYNAMODB_PORT: String(e2ePorts.dynamoDb) },
  });
  return JSON.parse(stdout) as Record<string, string>;
}

export const newPartner = async (name: string, fineIncrements = false) =>
  (await operator(
    'partner:create',
    '--name',
    name,
    ...(fineIncrements ? ['--fine-increments'] : []),
  )) as Partner;

/** Several partners at once: each one is a run of the operator CLI, so they run in parallel. */
export const newPartners = (...names: string[]): Promise<Partner[]> =>
  Promise.all(names.map((name) => newPartner(name)));

export const newStorageKey = async () => (await operator('storage-key:create')).apiKey as string;

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

/** POST /v1/companies with a fresh admin username and contact e-mail; expects 201. */
export async function createCompany(
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
export const postAccount = (token: string, companyId: string, body: Record<string, unknown>) =>
  call('POST', `/v1/companies/${companyId}/accounts`, { token, body });

/** POST …/accounts with a fresh username; expects 201 and returns `{ account, contact }`. */
export async function createAccount(
  token: string,
  companyId: string,
  body: Record<string, unknown>,
): Promise<{ account: any; contact: any }> {
  const reply = await postAccount(token, companyId, { username: uniqueName('user.'), ...body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

export async function getCompany(token: string, companyId: string): Promise<any> {
  const reply = await call('GET', `/v1/companies/${companyId}`, { token });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

export async function getAccount(token: string, companyId: string, accountId: string) {
  const reply = await call('GET', `/v1/companies/${companyId}/accounts/${accountId}`, { token });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
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
  expect(reply.body.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  for (const error of reply.body.errors) {
    expect(error).toMatchObject({ path: expect.any(String), message: expect.any(String) });
  }
  return reply.body;
}

/** The `errors[].path` of a problem document. */
export const errorPaths = (reply: HttpReply): string[] =>
  (reply.body?.errors ?? []).map((error: { path: string }) => error.path);

/**
 * Reads a whole list with `?limit=<limit>`, following `nextCursor` until it is null.
 * Returns every item in the order read and the number of pages it took.
 */
export async function readAllPages(
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

/** Every key of a JSON value, at any depth. */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

/**
 * Maps one after another: the local stack starts a new (cold) Lambda instance for every
 * concurrent request, so parallel requests are slower than sequential ones here.
 */
export async function inSequence<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await run(item));
  return results;
}

/**
 * Waits until the stream-triggered mailer has (nearly) caught up. The local stream reader takes
 * 10 records every 250 ms, so a file that writes a lot leaves a backlog of e-mails behind; keeping
 * it short after each file keeps the next file's e-mail waits short, whatever order files run in.
 */
export async function drainOutbox(maxUnsent = 10, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const unsent = (await scanTable()).filter(
      (item) => item.entity === 'OUTBOX' && (item.sentAt ?? null) === null,
    );
    if (unsent.length <= maxUnsent) return;
    if (Date.now() > deadline) {
      throw new Error(`${unsent.length} e-mails still unsent after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A password that meets the policy, different on every call. */
export const strongPassword = (prefix = 'Pw') => `${prefix}-${uniqueName('x')}-Q7!`;

/** POST /v1/auth/login, from the default or another loopback address; any status. */
export const login = (username: string, password: string, from?: string) =>
  call('POST', '/v1/auth/login', { body: { username, password }, from });

/** Logs in and expects a session; returns `{ token, expiresAt, role, mustChangePassword }`. */
export async function session(username: string, password: string): Promise<any> {
  const reply = await login(username, password);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** Logs in with the temporary password, replaces it, and returns the unrestricted session. */
export async function firstLogin(username: string, temporaryPassword: string): Promise<any> {
  const first = await session(username, temporaryPassword);
  const newPassword = strongPassword('New');
  const changed = await call('POST', '/v1/auth/password', {
    token: first.token,
    body: { currentPassword: temporaryPassword, newPassword },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  return { ...changed.body, password: newPassword };
}

/** The temporary password in a welcome or reset e-mail. */
export function temporaryPasswordIn(mail: StoredEmail): string {
  const password = /Temporary password:\s*(\S+)/i.exec(mail.body.text)?.[1];
  expect(password, mail.body.text).toBeTruthy();
  return password as string;
}
