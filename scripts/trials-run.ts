import { parseArgs } from 'node:util';
import { fail, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = 'Usage: npm run trials:run [-- --now 2026-12-01T09:00:00Z]';
let now = new Date();
try {
  const { values } = parseArgs({ options: { now: { type: 'string' } } });
  if (values.now !== undefined) now = new Date(values.now);
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
if (Number.isNaN(now.getTime())) fail(`--now must be an ISO-8601 instant.\n${usage}`);

useTableFromEnvironment();
const { runTrialJob } = await import('#lib/provisioning/trials.ts');
try {
  console.log(JSON.stringify({ now: now.toISOString(), ...(await runTrialJob({ now })) }, null, 2));
} catch (error) {
  fail(
    `The trial job failed (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
