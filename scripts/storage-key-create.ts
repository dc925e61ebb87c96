import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

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
