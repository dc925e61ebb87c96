import { commandLine } from './lib/cli-args.ts';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run partner:entitle -- --partner <id> --fine-increments on|off

Grants (on) or withdraws (off) the fine quota increments, and prints the partner. It holds from
the partner's next request: keys and sessions read the partner on every request.`;

const values = commandLine(usage, {
  partner: { type: 'string' },
  'fine-increments': { type: 'string' },
});
const partnerId = values.partner?.trim();
const setting = values['fine-increments'];
if (!partnerId) fail(`--partner is required.\n${usage}`);
if (setting !== 'on' && setting !== 'off') fail(`--fine-increments must be on or off.\n${usage}`);

useTableFromEnvironment();
const { setFineIncrements } = await import('#lib/store/partners.ts');
let partner: Awaited<ReturnType<typeof setFineIncrements>>;
try {
  partner = await setFineIncrements(partnerId, setting === 'on');
} catch (error) {
  fail(
    `Could not change the partner (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
if (!partner) {
  console.error(`No partner ${partnerId}.`);
  process.exit(1);
}
printJson({ ...partner });
