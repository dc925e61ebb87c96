import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/lib/local-stack.ts';
import { e2ePorts } from './ports.ts';

/** The whole local stack, as `npm start` runs it, on the tests' own ports and in memory. */
export default async function setup(project: TestProject) {
  const scratch = mkdtempSync(join(tmpdir(), 'bp-e2e-'));
  const lines: string[] = [];
  const stack = await startStack({
    ports: e2ePorts,
    dataDir: null,
    streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
    log: (line) => lines.push(line),
  });
  project.provide('apiUrl', stack.urls.api);
  project.provide('inboxUrl', stack.urls.inbox);
  project.provide('dynamoDbUrl', stack.urls.dynamoDb);
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
  }
}
