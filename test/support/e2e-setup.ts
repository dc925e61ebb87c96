import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/lib/local-stack.ts';
import { e2ePorts } from './ports.ts';

/** SPEC's nine webhook retries, a second or two apart instead of 5 s to 24 h. */
const E2E_RETRY_DELAYS_MS = '1000,2000,2000,2000,2000,2000,2000,2000,2000';

/**
 * The whole local stack, as `npm start` runs it, on the tests' own ports and in memory. It starts
 * in the background while the unit and integration files run beside the e2e ones; each e2e file
 * waits for it (./e2e-ready.ts).
 */
export default async function setup(project: TestProject) {
  const scratch = mkdtempSync(join(tmpdir(), 'bp-e2e-'));
  // Every line the stack prints (serverless-offline's own and each Lambda's JSON log lines), so a
  // test can check what the service writes to its logs.
  const stackLogFile = join(scratch, 'stack.log');
  const stackStateFile = join(scratch, 'stack.state');
  writeFileSync(stackLogFile, '');
  const sessionSecret = randomBytes(32).toString('base64url');

  const starting = startStack({
    ports: e2ePorts,
    dataDir: null,
    streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
    log: (line) => appendFileSync(stackLogFile, `${line}\n`),
    // The most the functions ever log (serverless.yml passes it on as POWERTOOLS_LOG_LEVEL), so
    // a check of the logs also covers what is logged only when debugging.
    // SPEC's webhook schedule in seconds (1 s, 2 s, …), so a test sees retries come due.
    env: {
      LOG_LEVEL: 'DEBUG',
      SESSION_SECRET: sessionSecret,
      WEBHOOK_RETRY_DELAYS_MS: E2E_RETRY_DELAYS_MS,
    },
    webhookSweepMs: 1_000,
  });
  const started = starting.then(
    (stack) => {
      writeFileSync(stackStateFile, 'ready');
      return stack;
    },
    (error: Error) => {
      writeFileSync(stackStateFile, `failed: ${error.message}`);
      return null;
    },
  );
  const local = (port: number) => `http://127.0.0.1:${port}`;
  project.provide('apiUrl', local(e2ePorts.http));
  project.provide('inboxUrl', local(e2ePorts.ses));
  project.provide('dynamoDbUrl', local(e2ePorts.dynamoDb));
  project.provide('stackLogFile', stackLogFile);
  project.provide('stackStateFile', stackStateFile);
  project.provide('sessionSecret', sessionSecret);
  return async () => {
    await (await started)?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    inboxUrl: string;
    dynamoDbUrl: string;
    /** The file the stack's output is appended to, line by line, as it runs. */
    stackLogFile: string;
    /** Written once the stack is ready ("ready") or could not start ("failed: …"). */
    stackStateFile: string;
    /** The key the stack signs session tokens with, so a test can check it is stored nowhere. */
    sessionSecret: string;
  }
}
