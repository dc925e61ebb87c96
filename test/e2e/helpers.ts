/**
 * The end-to-end tier's requests go over the network to the local stack (test/support/e2e-setup.ts):
 * serverless-offline in front of the bundled functions, the stream reader, the SES emulator.
 * The request helpers both HTTP tiers share are test/support/http-fixtures.ts's.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TOTP, URI } from 'otpauth';
import { inject } from 'vitest';
import { localCredentials } from '#lib/clients/local.ts';
import { assertConforms } from '../support/conformance.ts';
import {
  type CallOptions,
  type HttpReply,
  httpFixtures,
  parseBody,
  type StoredEmail,
  strongPassword,
  temporaryPasswordIn,
} from '../support/http-fixtures.ts';
import { e2ePorts } from '../support/ports.ts';

const run = promisify(execFile);

export const api = () => inject('apiUrl');

/** Every reply body this test file received, in order: where a secret may be shown once. */
export const replyTexts: string[] = [];

export async function call(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body =
    options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const url = `${api()}${path}`;
  const reply = options.from
    ? await requestFrom(options.from, method, url, headers, body)
    : await fetch(url, { method, headers, body }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      }));
  replyTexts.push(reply.text);
  const parsed = parseBody(reply.text);
  // Every response a test receives is held to the served document.
  assertConforms({ method, path, status: reply.status, headers: reply.headers, body: parsed });
  return { status: reply.status, headers: reply.headers, body: parsed };
}

/** fetch cannot choose its local address, and lower-cases header names; node:http does neither. */
function requestFrom(
  localAddress: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, localAddress }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of [value ?? []].flat()) replyHeaders.append(name, one);
        }
        resolve({
          status: incoming.statusCode ?? 0,
          headers: replyHeaders,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export const { createCompany, createAccount, login, session, firstLogin } = httpFixtures(call);

/** Runs the operator CLI exactly as the README says, against the e2e stack's DynamoDB. */
export async function cli(script: 'partner:create' | 'storage-key:create', ...args: string[]) {
  const { stdout } = await run('npm', ['run', '--silent', script, '--', ...args], {
    env: { ...process.env, DYNAMODB_PORT: String(e2ePorts.dynamoDb) },
  });
  // SPEC writes the output as one line: { "partnerId": "…", "apiKey": "…" }.
  if (!/^\{ "\w+": "[^"]+"(, "\w+": "[^"]+")* \}\n$/.test(stdout)) {
    throw new Error(`The CLI did not print SPEC's one line: ${JSON.stringify(stdout)}`);
  }
  return JSON.parse(stdout) as Record<string, string>;
}

const SCRIPTS = {
  'partner:create': 'scripts/partner-create.ts',
  'storage-key:create': 'scripts/storage-key-create.ts',
} as const;

/** The operator CLI's own script as `cli()` runs it, without npm's start-up (a second a run). */
async function operator(script: keyof typeof SCRIPTS, ...args: string[]) {
  const { stdout } = await run('node', ['--import', 'tsx', SCRIPTS[script], ...args], {
    env: { ...process.env, DYNAMODB_PORT: String(e2ePorts.dynamoDb) },
  });
  return JSON.parse(stdout) as Record<string, string>;
}

export type Partner = { partnerId: string; apiKey: string };

export const newPartner = async (name: string) =>
  (await operator('partner:create', '--name', name)) as Partner;

/** A partner made with its first owner, who is e-mailed a temporary password. */
export const newPartnerWithOwner = async (name: string, ownerEmail: string) =>
  (await operator('partner:create', '--name', name, '--owner-email', ownerEmail)) as Partner;

/** The current TOTP code of an enrolment's otpauth URL, or the one `steps` periods on. */
export function totpCode(otpauthUrl: string, steps = 0): string {
  const totp = URI.parse(otpauthUrl);
  if (!(totp instanceof TOTP)) throw new Error(`Not a TOTP URL: ${otpauthUrl}`);
  return totp.generate({ timestamp: Date.now() + steps * totp.period * 1000 });
}

export interface EnrolledStaff {
  email: string;
  temporaryPassword: string;
  password: string;
  /** The session after enrolment: it serves every route the member's role may call. */
  token: string;
  /** Every token handed out on the way, the first one included. */
  tokens: string[];
  otpauthUrl: string;
  secret: string;
  recoveryCodes: string[];
}

/**
 * A staff member's first sign-in, as SPEC §7 orders it: the invitation's temporary password,
 * the password change, then TOTP enrolment.
 */
export async function enrolStaff(email: string): Promise<EnrolledStaff> {
  const temporaryPassword = temporaryPasswordIn(await waitForEmail(email));
  const first = await call('POST', '/v1/auth/staff/login', {
    body: { email, password: temporaryPassword },
  });
  if (first.status !== 200) throw new Error(`first login: ${JSON.stringify(first.body)}`);
  const password = strongPassword('Staff');
  const changed = await call('POST', '/v1/auth/password', {
    token: first.body.token,
    body: { currentPassword: temporaryPassword, newPassword: password },
  });
  if (changed.status !== 200) throw new Error(`password: ${JSON.stringify(changed.body)}`);
  const token = changed.body.token as string;
  const setup = await call('POST', '/v1/auth/mfa/setup', { token });
  if (setup.status !== 200) throw new Error(`mfa setup: ${JSON.stringify(setup.body)}`);
  const confirmed = await call('POST', '/v1/auth/mfa/confirm', {
    token,
    body: { code: totpCode(setup.body.otpauthUrl) },
  });
  if (confirmed.status !== 200) throw new Error(`mfa confirm: ${JSON.stringify(confirmed.body)}`);
  return {
    email,
    temporaryPassword,
    password,
    token,
    tokens: [first.body.token, token],
    otpauthUrl: setup.body.otpauthUrl,
    secret: setup.body.secret,
    recoveryCodes: confirmed.body.recoveryCodes,
  };
}

export const newStorageKey = async () => (await operator('storage-key:create')).apiKey as string;

export async function inbox(): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('inboxUrl')}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

/** The first e-mail to `to` (with that subject) the stream's mailer delivers to the emulator. */
export async function waitForEmail(
  to: string,
  options: { subject?: string; timeoutMs?: number } = {},
): Promise<StoredEmail> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await inbox()).find(
      (email) =>
        email.destination.to.includes(to) &&
        (options.subject === undefined || email.subject === options.subject),
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No e-mail to ${to} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const tableClient = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('dynamoDbUrl'),
      region: 'us-east-1',
      credentials: localCredentials(),
    }),
  );

export async function scanTable(): Promise<Record<string, unknown>[]> {
  const client = tableClient();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: 'backup-provisioning-local', ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Waits until the stream-triggered mailer has sent every e-mail in the outbox. */
export async function drainOutbox(timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const unsent = (await scanTable()).filter(
      (item) => item.entity === 'OUTBOX' && (item.sentAt ?? null) === null,
    );
    if (unsent.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${unsent.length} e-mails still unsent after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The stack's output so far: serverless-offline's lines and each Lambda's JSON log lines. */
export const stackLog = (): string => readFileSync(inject('stackLogFile'), 'utf8');
