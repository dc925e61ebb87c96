import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/lib/local-stack.ts';
import { e2ePorts } from './ports.ts';

/** The whole local stack, as `npm start` runs it, on the tests' own ports and in memory. */
export default async function setup(project: TestProject) {
  const scratch = mkdtempSync(join(tmpdir(), 'bp-e2e-'));
  // Every line the stack prints (serverless-offline's own and each Lambda's JSON log lines), so a
  // test can check what the service writes to its logs.
  const stackLogFile = join(scratch, 'stack.log');
  writeFileSync(stackLogFile, '');
  const stack = await startStack({
    ports: e2ePorts,
    dataDir: null,
    streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
    log: (line) => appendFileSync(stackLogFile, `${line}\n`),
    // The most the functions ever log (serverless.yml passes it on as POWERTOOLS_LOG_LEVEL), so
    // a check of the logs also covers what is logged only when debugging.
    env: { LOG_LEVEL: 'DEBUG' },
  });
  project.provide('apiUrl', stack.urls.api);
  project.provide('inboxUrl', stack.urls.inbox);
  project.provide('dynamoDbUrl', stack.urls.dynamoDb);
  project.provide('stackLogFile', stackLogFile);
  project.provide('sessionSecret', stack.env.SESSION_SECRET as string);
  return async () => {
    await stack.stop();
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
    /** The key the stack signs session tokens with, so a test can check it is stored nowhere. */
    sessionSecret: string;
  }
}
