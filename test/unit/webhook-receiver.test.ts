import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { newWebhookSecret, webhookHeaders } from '#lib/webhooks/sign.ts';
import { type Delivery, webhookReceiver } from '../../scripts/lib/webhook-receiver.ts';

async function run(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/webhook-receive.ts', ...args],
      { env: process.env, timeout: 20_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function start(options: { fail?: number; gone?: boolean } = {}) {
  const secret = newWebhookSecret();
  const lines: string[] = [];
  const seen: Delivery[] = [];
  const server = webhookReceiver(
    { secret, fail: options.fail ?? 0, gone: options.gone ?? false, print: (l) => lines.push(l) },
    (delivery) => seen.push(delivery),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const send = (body: string, signWith = secret, id = 'evt_1') =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders([signWith], id, new Date(), body),
      },
      body,
    });
  return { secret, lines, seen, send };
}

describe('npm run webhook:receive', () => {
  it('answers --help with its usage on stdout', async () => {
    const answer = await run('--help');
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    expect(answer.stdout).toContain('Usage: npm run webhook:receive');
  });

  it('refuses an unknown argument, and a missing secret', async () => {
    const unknown = await run('--secret', newWebhookSecret(), '--no-such-option');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--no-such-option');
    const missing = await run('--port', '4999');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--secret');
  });

  it('verifies a delivery with standardwebhooks, prints it and answers 204', async () => {
    const receiver = await start();
    const body = JSON.stringify({ id: 'evt_1', type: 'company.created', data: {} });
    const reply = await receiver.send(body);
    expect(reply.status).toBe(204);
    expect(receiver.seen).toEqual([
      { verified: true, id: 'evt_1', status: 204, payload: JSON.parse(body) },
    ]);
    expect(receiver.lines[0]).toContain('✓ verified evt_1 company.created');
  });

  it('refuses a delivery signed with another secret with 401', async () => {
    const receiver = await start();
    const reply = await receiver.send('{"type":"x"}', newWebhookSecret());
    expect(reply.status).toBe(401);
    expect(receiver.seen[0]).toMatchObject({ verified: false, status: 401 });
    expect(receiver.lines[0]).toContain('NOT verified');
  });

  it('fails the first deliveries on request, or answers 410 to all', async () => {
    const failing = await start({ fail: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await failing.send('{}')).status);
    expect(statuses).toEqual([500, 500, 204]);
    const gone = await start({ gone: true });
    expect((await gone.send('{}')).status).toBe(410);
  });
});
