import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopEveryChild } from './lib/child-guard.ts';
import { PROJECT_ROOT, type RunningStack, startStack } from './lib/local-stack.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** The table, the session secret and the stream checkpoint: kept across restarts. */
const DATA_DIR = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.data');

/** Kept under .data/ like the table, so sessions outlive a restart of the local stack. */
function localSessionSecret(): string {
  const file = join(DATA_DIR, 'session-secret');
  if (!existsSync(file)) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

let stack: RunningStack | undefined;
let stopping = false;
// Stops what is running at any moment, also half-way through start-up (SPEC §6: Ctrl-C leaves no
// process behind). A SIGKILL runs no handler: the guard of child-guard.ts covers that case.
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  if (stack) await stack.stop();
  await stopEveryChild();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
// `npm start` killed outright leaves this process to init: it notices and stops too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown();
}, 500).unref();

const verbose = process.argv.includes('--verbose');
try {
  stack = await startStack({
    ports: {
      dynamoDb: port('DYNAMODB_PORT', 8000),
      ses: port('SES_PORT', 8005),
      http: port('HTTP_PORT', 3000),
      api: port('API_PORT', 3003),
      lambda: port('LAMBDA_PORT', 3002),
      websocket: port('WEBSOCKET_PORT', 3001),
    },
    dataDir: join(DATA_DIR, 'dynamodb'),
    env: { SESSION_SECRET: process.env.SESSION_SECRET || localSessionSecret() },
    streamCheckpointFile: join(DATA_DIR, 'stream-checkpoint.json'),
    log: (line) => {
      if (verbose || /error|warn/i.test(line)) console.log(line);
    },
  });
} catch (error) {
  // Stopped during start-up: the children it had started are the ones failing.
  if (!stopping) {
    console.error((error as Error).message);
    await stopEveryChild();
    process.exit(1);
  }
}

if (stack && !stopping) {
  console.log(
    `Ready: portal ${stack.urls.portal}  ·  API ${stack.urls.api}/v1  ·  e-mail inbox ${stack.urls.inbox}  ·  DynamoDB Local ${stack.urls.dynamoDb}  (Ctrl-C stops everything)`,
  );
}
