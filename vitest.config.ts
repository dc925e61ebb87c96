import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';
import { integrationPorts, TEST_TABLE } from './test/support/ports.ts';
import { SpreadTiersSequencer } from './test/support/sequencer.ts';

/** Signs the sessions of in-process tests; made per run, never a fixed value in the code. */
const TEST_SESSION_SECRET = randomBytes(32).toString('base64url');

/**
 * The three tiers share one pool of workers, so the files that wait (on DynamoDB Local, the
 * stack, a browser) leave the CPU to the others: a third file keeps both cores of a CI machine busy.
 */
const FILES_AT_ONCE = 3;

export default defineConfig({
  test: {
    reporters: ['default', './test/support/proof-summary.ts'],
    sequence: { sequencer: SpreadTiersSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          maxWorkers: FILES_AT_ONCE,
          // Pure modules and no shared state: the files reuse one another's imports.
          isolate: false,
          // The property tests run a thousand cases; a shared machine's load must not fail them.
          testTimeout: 20_000,
          env: {
            TABLE_NAME: TEST_TABLE,
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            SESSION_SECRET: TEST_SESSION_SECRET,
          },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Each file on a database of its own (integration-worker.ts).
          maxWorkers: FILES_AT_ONCE,
          globalSetup: ['test/support/integration-setup.ts'],
          setupFiles: ['test/support/integration-worker.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env: {
            TABLE_NAME: TEST_TABLE,
            AWS_REGION: 'us-east-1',
            DYNAMODB_ENDPOINT: `http://127.0.0.1:${integrationPorts.dynamoDb}`,
            SES_ENDPOINT: `http://127.0.0.1:${integrationPorts.ses}`,
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            // The handlers publish their metrics when an invocation ends; the unit tests read them.
            POWERTOOLS_METRICS_DISABLED: 'true',
            SESSION_SECRET: TEST_SESSION_SECRET,
            // Password hashing at a sixteenth of the production cost (lib/auth/secrets.ts): the
            // hashes name their N, so every check still runs; the unit tests keep the real cost.
            SCRYPT_N: '1024',
            // Webhooks to the tests' own receivers on http://127.0.0.1:<port> (lib/webhooks/send.ts).
            STAGE: 'local',
          },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/e2e-setup.ts'],
          setupFiles: ['test/support/e2e-ready.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          maxWorkers: FILES_AT_ONCE,
        },
      },
    ],
  },
});
