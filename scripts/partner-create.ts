import { commandLine } from './lib/cli-args.ts';
import { fail, printJson, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run partner:create -- --name "Acme IT" [--fine-increments] [--owner-email a@b.example [--owner-name "Ann Owner"]]

Creates a partner and its first API key, a full key named "Created by the operator", and prints
{ "partnerId": "…", "apiKey": "…" }. The key is shown this once; only its hash is stored.
  --name <name>          the partner's name (1-200 characters)
  --fine-increments      allow the fine quota increments (later: npm run partner:entitle)
  --owner-email <email>  also create the partner's owner, a staff member who signs in to the
                         portal with this e-mail; a temporary password is e-mailed to it
  --owner-name <name>    the owner's full name (default: the e-mail address)`;

const values = commandLine(usage, {
  name: { type: 'string' },
  'fine-increments': { type: 'boolean', default: false },
  'owner-email': { type: 'string' },
  'owner-name': { type: 'string' },
});
const name = values.name?.trim();
if (!name || name.length > 200) fail(`--name is required (1-200 characters).\n${usage}`);
const ownerEmail = values['owner-email']?.trim();
const ownerName = values['owner-name']?.trim();
if (ownerName !== undefined && ownerEmail === undefined) {
  fail(`--owner-name needs --owner-email.\n${usage}`);
}

const { createStaffSchema } = await import('#lib/schemas.ts');
let owner: { email: string; fullName: string } | null = null;
if (ownerEmail !== undefined) {
  // The same checks as an invitation through POST /v1/staff.
  const checked = createStaffSchema.safeParse({
    email: ownerEmail,
    fullName: ownerName || ownerEmail,
    role: 'owner',
  });
  if (!checked.success) {
    const field =
      checked.error.issues[0]?.path[0] === 'fullName' ? '--owner-name' : '--owner-email';
    fail(`${field}: ${checked.error.issues[0]?.message}\n${usage}`);
  }
  owner = { email: checked.data.email, fullName: checked.data.fullName };
}

useTableFromEnvironment();
const { createPartner } = await import('#lib/provisioning/partners.ts');
try {
  const created = await createPartner(name, values['fine-increments'] === true, new Date(), owner);
  printJson({ partnerId: created.partnerId, apiKey: created.apiKey });
} catch (error) {
  const problem = error as Error & { code?: string };
  if (problem.code === 'STAFF_EMAIL_TAKEN') {
    fail('--owner-email: a staff member with this e-mail exists already; nothing was created.');
  }
  fail(
    `Could not create the partner (is the local stack running? \`npm start\`): ${problem.message}`,
  );
}
