import { commandLine } from './lib/cli-args.ts';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run storage-key:create

Creates an API key for the storage service and prints { "apiKey": "…" }. The key is shown this
once; only its hash is stored.`;

commandLine(usage, {});

useTableFromEnvironment();
const { createStorageKey } = await import('#lib/auth/api-keys.ts');
try {
  const { apiKey } = await createStorageKey();
  printJson({ apiKey });
} catch (error) {
  fail(
    `Could not create the key (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
