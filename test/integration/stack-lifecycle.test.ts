import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationPorts } from '../support/ports.ts';

/**
 * `npm start` leaves no process behind however it ends (SPEC §6). Each run is marked with an
 * environment variable that every process it starts inherits, so a process that escaped its
 * parent (reparented to init) is still found.
 */
const base = integrationPorts.dynamoDb;
const ports = {
  DYNAMODB_PORT: base + 1,
  HTTP_PORT: base + 2,
  LAMBDA_PORT: base + 3,
  WEBSOCKET_PORT: base + 4,
  SES_PORT: integrationPorts.ses + 1,
  API_PORT: integrationPorts.lifecycleApi,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids (and command lines) of the live processes whose environment holds the mark. */
function marked(mark: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // A zombie has ended; only its parent has not read its exit status yet.
      if (/^\d+ \(.*\) Z/.test(status)) continue;
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').includes(mark)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      found.push({ pid: Number(entry), command });
    } catch {
      // ended while being read, or not ours to read
    }
  }
  return found;
}

/** A variable of a live process's environment. */
function environmentOf(pid: number, name: string): string | undefined {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return entries.find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

async function until(what: () => boolean | Promise<boolean>, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await what()) return true;
    await sleep(250);
  }
  return what();
}

let started: { child: ChildProcess; mark: string; dir: string; output: () => string } | undefined;

function start() {
  const mark = `BP_LIFECYCLE_MARK=${randomBytes(8).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bp-lifecycle-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      BP_LIFECYCLE_MARK: mark.split('=')[1],
      LOCAL_DATA_DIR: dir,
      // Its own build folder (ignored like .data): another stack may be serving from .esbuild.
      ESBUILD_WORK_FOLDER: '.data/esbuild-lifecycle',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  started = { child, mark, dir, output: () => output };
  return started;
}

async function expectNothingLeft(mark: string) {
  const gone = await until(() => marked(mark).length === 0, 60_000);
  expect(gone ? [] : marked(mark)).toEqual([]);
  for (const port of Object.values(ports)) {
    expect(await until(() => portFree(port), 30_000), `port ${port} free`).toBe(true);
  }
}

afterEach(async () => {
  if (!started) return;
  // Whatever a failed assertion left running is ended here, not left to the next run.
  for (const { pid } of marked(started.mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(started.dir, { recursive: true, force: true });
  started = undefined;
});

describe('npm start', () => {
  it('interrupted during start-up, before it is ready, leaves no process and no port', async () => {
    const { child, mark, output } = start();
    // serverless-offline has been started (and is building the handlers) but is not ready.
    const offlineStarting = await until(
      () => marked(mark).some((p) => p.command.includes('offline start')),
      120_000,
    );
    expect(offlineStarting, output()).toBe(true);
    expect(output()).not.toContain('Ready:');
    child.kill('SIGINT');
    await expectNothingLeft(mark);
  }, 240_000);

  it('killed outright once ready (no handler runs) leaves no process, no port and no scratch folder', async () => {
    const { child, mark, output } = start();
    const ready = await until(() => output().includes('Ready:'), 200_000);
    expect(ready, output()).toBe(true);
    // The ready line names the portal, served with the API on HTTP_PORT.
    expect(output()).toContain(
      `Ready: portal http://127.0.0.1:${ports.HTTP_PORT}/  ·  API http://127.0.0.1:${ports.HTTP_PORT}/v1`,
    );
    const portal = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/companies`);
    expect(await portal.text()).toContain('<div id="app">');
    const api = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/v1/companies`);
    expect(api.status).toBe(401);
    expect(marked(mark).some((p) => p.command.includes('DynamoDBLocal'))).toBe(true);
    // serverless-offline's scratch folder, its TMPDIR, which no handler of `npm start` removes.
    const offline = marked(mark).find((p) => p.command.includes('offline start'));
    const scratch = offline && environmentOf(offline.pid, 'TMPDIR');
    expect(scratch).toContain('bp-offline-');
    expect(existsSync(scratch as string)).toBe(true);
    child.kill('SIGKILL');
    await expectNothingLeft(mark);
    expect(await until(() => !existsSync(scratch as string), 30_000), scratch).toBe(true);
  }, 360_000);
});
