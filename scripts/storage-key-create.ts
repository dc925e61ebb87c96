import { fail, useTableFromEnvironment } from './lib/cli-env.ts';

useTableFromEnvironment();
const { createStorageKey } = await import('#lib/auth/api-keys.ts');
try {
  console.log(JSON.stringify(await createStorageKey(), null, 2));
} catch (error) {
  fail(
    `Could not create the key (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
