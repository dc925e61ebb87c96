import { parseArgs } from 'node:util';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = 'Usage: npm run partner:create -- --name "Acme IT" [--fine-increments]';
let values: { name?: string; 'fine-increments'?: boolean };
try {
  ({ values } = parseArgs({
    options: { name: { type: 'string' }, 'fine-increments': { type: 'boolean', default: false } },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
const name = values.name?.trim();
if (!name || name.length > 200) fail(usage);

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
