import { commandLine } from './lib/cli-args.ts';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run partner:create -- --name "Acme IT" [--fine-increments]

Creates a partner and its first API key, a full key named "Created by the operator", and prints
{ "partnerId": "…", "apiKey": "…" }. The key is shown this once; only its hash is stored.
  --name <name>       the partner's name (1-200 characters)
  --fine-increments   allow the fine quota increments (later: npm run partner:entitle)`;

const values = commandLine(usage, {
  name: { type: 'string' },
  'fine-increments': { type: 'boolean', default: false },
});
const name = values.name?.trim();
if (!name || name.length > 200) fail(`--name is required (1-200 characters).\n${usage}`);

useTableFromEnvironment();
const { createPartner } = await import('#lib/auth/api-keys.ts');
try {
  const created = await createPartner(name, values['fine-increments'] === true);
  printJson({ partnerId: created.partnerId, apiKey: created.apiKey });
} catch (error) {
  fail(
    `Could not create the partner (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
