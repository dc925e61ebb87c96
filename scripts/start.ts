import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, startStack } from './lib/local-stack.ts';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Kept under .data/ like the table, so sessions outlive a restart of the local stack. */
function localSessionSecret(): string {
  const file = join(PROJECT_ROOT, '.data', 'session-secret');
  if (!existsSync(file)) {
    mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

const verbose = process.argv.includes('--verbose');
const stack = await startStack({
  ports: {
    dynamoDb: port('DYNAMODB_PORT', 8000),
    ses: port('SES_PORT', 8005),
    http: port('HTTP_PORT', 3000),
    lambda: port('LAMBDA_PORT', 3002),
    websocket: port('WEBSOCKET_PORT', 3001),
  },
  dataDir: join(PROJECT_ROOT, '.data', 'dynamodb'),
  env: { SESSION_SECRET: process.env.SESSION_SECRET || localSessionSecret() },
  streamCheckpointFile: join(PROJECT_ROOT, '.data', 'stream-checkpoint.json'),
  log: (line) => {
    if (verbose || /error|warn/i.test(line)) console.log(line);
  },
});

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

console.log(
  `Ready: API ${stack.urls.api}/v1  ·  e-mail inbox ${stack.urls.inbox}  ·  DynamoDB Local ${stack.urls.dynamoDb}  (Ctrl-C stops everything)`,
);
