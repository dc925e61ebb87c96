import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { assertConforms } from '../support/conformance.ts';
import { e2ePorts } from '../support/ports.ts';

const run = promisify(execFile);

export const api = () => inject('apiUrl');

export interface HttpReply {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    /** The loopback address to connect from (127.0.0.2, …), to be another source. */
    from?: string;
  } = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const url = `${api()}${path}`;
  const {
    status,
    headers: replyHeaders,
    text,
  } = options.from
    ? await requestFrom(options.from, method, url, headers, body)
    : await fetch(url, { method, headers, body }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        text: await response.text(),
      }));
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  // Every response a test receives is held to the served document.
  assertConforms({ method, path, status, headers: replyHeaders, body: parsed });
  return { status, headers: replyHeaders, body: parsed };
}

/** fetch cannot choose its local address; node:http can. */
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

export async function newPartner(name = 'Acme IT', fineIncrements = false) {
  const args = ['--name', name, ...(fineIncrements ? ['--fine-increments'] : [])];
  return (await cli('partner:create', ...args)) as { partnerId: string; apiKey: string };
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

export async function inbox(): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('inboxUrl')}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

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

const TABLE = 'backup-provisioning-local';

const tableClient = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('dynamoDbUrl'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );

/**
 * Moves an account's password issue time into the past: the one thing a test cannot do over
 * HTTP is wait seven days. The account is found by its id, whatever its key.
 */
export async function agePassword(accountId: string, days: number): Promise<void> {
  const item = (await scanTable()).find((i) => i.entity === 'ACCOUNT' && i.id === accountId);
  if (!item) throw new Error(`No account ${accountId}`);
  const issuedAt = new Date(Date.parse(String(item.passwordIssuedAt)) - days * 86_400_000);
  await tableClient().send(
    new UpdateCommand({
      TableName: TABLE,
      Key: { PK: item.PK, SK: item.SK },
      UpdateExpression: 'SET passwordIssuedAt = :at',
      ExpressionAttributeValues: { ':at': issuedAt.toISOString() },
    }),
  );
}

export async function scanTable(): Promise<Record<string, unknown>[]> {
  const client = tableClient();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

let counter = 0;
export const uniqueName = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.toLowerCase();
