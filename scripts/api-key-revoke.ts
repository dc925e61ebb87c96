import { commandLine } from './lib/cli-args.ts';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run api-key:revoke -- --key-id <id>

Revokes a partner's API key at once (its next request gets 401) and prints the key as revoked,
without the secret. Revoking a key again changes nothing and prints it the same.`;

const values = commandLine(usage, { 'key-id': { type: 'string' } });
const keyId = values['key-id']?.trim();
if (!keyId) fail(`--key-id is required.\n${usage}`);

useTableFromEnvironment();
const { findApiKeyPartner, revokeApiKey } = await import('#lib/store/api-keys.ts');
let revoked: Awaited<ReturnType<typeof revokeApiKey>>;
try {
  const partnerId = await findApiKeyPartner(keyId);
  revoked = partnerId ? await revokeApiKey(partnerId, keyId, new Date()) : null;
} catch (error) {
  fail(
    `Could not revoke the key (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
if (!revoked) {
  console.error(`No API key ${keyId}.`);
  process.exit(1);
}
printJson({ ...revoked });
