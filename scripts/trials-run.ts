import { commandLine } from './lib/cli-args.ts';
import { fail, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run trials:run [-- --now 2026-12-01T09:00:00Z [--i-know]]

Runs the daily trial job once: reminders 7 days and 1 day before a trial ends, then expiry.
  --now <instant>  run as of another instant, to try what the job would do then. Such a run
                   sends and expires as of that instant, but leaves the job's completed-day mark
                   alone, so the real daily runs still find every step due.
  --i-know         allow --now against a deployed stage (TABLE_NAME without DYNAMODB_ENDPOINT):
                   it really e-mails that stage's users and expires their trials.`;
let now = new Date();
let asOf = false;
const values = commandLine(usage, { now: { type: 'string' }, 'i-know': { type: 'boolean' } });
if (values.now !== undefined) {
  now = new Date(values.now);
  asOf = true;
}
if (Number.isNaN(now.getTime())) fail(`--now must be an ISO-8601 instant.\n${usage}`);

useTableFromEnvironment();
if (asOf && !process.env.DYNAMODB_ENDPOINT && !values['i-know']) {
  fail(
    `Refusing --now against the deployed table ${process.env.TABLE_NAME}: it would e-mail real users as of ${now.toISOString()}. Add --i-know if that is what you want.`,
  );
}
const { runTrialJob } = await import('#lib/provisioning/trials.ts');
try {
  const result = await runTrialJob({ now, recordProgress: !asOf });
  console.log(JSON.stringify({ now: now.toISOString(), ...result }, null, 2));
} catch (error) {
  fail(
    `The trial job failed (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
