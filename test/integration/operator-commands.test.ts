import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { principalForApiKey } from '#lib/auth/api-keys.ts';
import { findApiKey, listApiKeys } from '#lib/store/api-keys.ts';
import { findPartner, scanPartners } from '#lib/store/partners.ts';
import { listStaff } from '#lib/store/staff.ts';
import { outboxIdsFor } from './support.ts';

/** The operator's commands as `npm run` starts them, against DynamoDB Local's test table. */
const COMMANDS = {
  'partner:create': 'scripts/partner-create.ts',
  'storage-key:create': 'scripts/storage-key-create.ts',
  'partner:list': 'scripts/partner-list.ts',
  'partner:entitle': 'scripts/partner-entitle.ts',
  'api-key:revoke': 'scripts/api-key-revoke.ts',
  'trials:run': 'scripts/trials-run.ts',
  'outbox:replay': 'scripts/outbox-replay.ts',
} as const;

type Command = keyof typeof COMMANDS;

async function run(command: Command, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', COMMANDS[command], ...args],
      { env: process.env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const REFUSED_NAME = `Refused IT ${ulid()}`;

/** Arguments each command runs with. */
const validArguments: Record<Command, string[]> = {
  'partner:create': ['--name', REFUSED_NAME],
  'storage-key:create': [],
  'partner:list': [],
  'partner:entitle': ['--partner', ulid(), '--fine-increments', 'on'],
  'api-key:revoke': ['--key-id', ulid()],
  'trials:run': [],
  'outbox:replay': [],
};

async function partnerNamed(name: string): Promise<boolean> {
  let cursor: string | null = null;
  do {
    const page = await scanPartners(cursor);
    if (page.items.some((partner) => partner.name === name)) return true;
    cursor = page.nextCursor;
  } while (cursor);
  return false;
}

describe.each(Object.keys(COMMANDS) as Command[])('npm run %s', (command) => {
  it('answers --help with its usage on stdout', async () => {
    const answer = await run(command, '--help');
    expect(answer).toMatchObject({ code: 0, stderr: '' });
    expect(answer.stdout).toContain(`Usage: npm run ${command}`);
  });

  it('refuses an unknown argument before writing anything', async () => {
    // Beside arguments that would otherwise make it write: the refusal must come first.
    const answer = await run(command, ...validArguments[command], '--no-such-option');
    expect(answer.code).toBe(2);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toContain('--no-such-option');
    expect(answer.stderr).toContain(`Usage: npm run ${command}`);
    if (command === 'partner:create') expect(await partnerNamed(REFUSED_NAME)).toBe(false);
  });
});

describe('the operator’s partner and key commands', () => {
  it('create, list, entitle a partner and revoke its key', async () => {
    // Create: still exactly the one line SPEC §6 shows.
    const name = `Operator IT ${ulid()}`;
    const created = await run('partner:create', '--name', name);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^\{ "partnerId": "[0-9A-Z]{26}", "apiKey": "pk_\S+" \}\n$/);
    const { partnerId, apiKey } = JSON.parse(created.stdout) as {
      partnerId: string;
      apiKey: string;
    };
    const [key] = (await listApiKeys(partnerId, 10, null)).items;
    expect(key).toMatchObject({ scope: 'full', createdBy: 'operator' });

    // List: one JSON line per partner.
    const listed = await run('partner:list');
    expect(listed.code).toBe(0);
    const partners = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(partners).toContainEqual({
      id: partnerId,
      name,
      fineIncrements: false,
      createdAt: expect.any(String),
    });

    // Entitle: prints the partner as changed, and the key sees it at once.
    const entitled = await run(
      'partner:entitle',
      '--partner',
      partnerId,
      '--fine-increments',
      'on',
    );
    expect(entitled.code).toBe(0);
    expect(JSON.parse(entitled.stdout)).toMatchObject({ id: partnerId, fineIncrements: true });
    expect(await principalForApiKey(apiKey)).toMatchObject({ fineIncrements: true });
    expect(await findPartner(partnerId)).toMatchObject({ fineIncrements: true });

    // Revoke: prints the key as revoked, never the secret; the key is refused at once.
    const revoked = await run('api-key:revoke', '--key-id', key?.id as string);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      id: key?.id,
      partnerId,
      revokedAt: expect.any(String),
    });
    expect(revoked.stdout).not.toContain(apiKey.slice(11));
    expect(await principalForApiKey(apiKey)).toEqual({ kind: 'anonymous' });
    const again = await run('api-key:revoke', '--key-id', key?.id as string);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(revoked.stdout));
    expect((await findApiKey(partnerId, key?.id as string))?.revokedAt).toBe(
      JSON.parse(revoked.stdout).revokedAt,
    );
  });

  it('say so on stderr, exit 1, for a partner or key that does not exist', async () => {
    const unknownKey = await run('api-key:revoke', '--key-id', ulid());
    const unknownPartner = await run(
      'partner:entitle',
      '--partner',
      ulid(),
      '--fine-increments',
      'on',
    );
    expect(unknownKey).toMatchObject({ code: 1, stdout: '' });
    expect(unknownKey.stderr).toMatch(/^No API key /);
    expect(unknownPartner).toMatchObject({ code: 1, stdout: '' });
    expect(unknownPartner.stderr).toMatch(/^No partner /);
  });

  it.each([
    ['partner:entitle', ['--partner', 'P', '--fine-increments', 'yes'], 'on or off'],
    ['partner:entitle', ['--fine-increments', 'on'], '--partner is required'],
    ['api-key:revoke', [], '--key-id is required'],
    ['partner:create', [], '--name is required'],
    ['partner:create', ['--name', REFUSED_NAME, '--owner-email', 'not-an-email'], '--owner-email'],
    ['partner:create', ['--name', REFUSED_NAME, '--owner-name', 'Ann'], 'needs --owner-email'],
  ] as const)('%s refuses %j', async (command, args, message) => {
    const answer = await run(command, ...args);
    expect(answer).toMatchObject({ code: 2, stdout: '' });
    expect(answer.stderr).toContain(message);
    if (command === 'partner:create') expect(await partnerNamed(REFUSED_NAME)).toBe(false);
  });

  it('partner:create --owner-email creates the owner and queues its invitation', async () => {
    const name = `Owned IT ${ulid()}`;
    const email = `owner.${ulid().toLowerCase()}@owned.example`;

    const created = await run('partner:create', '--name', name, '--owner-email', email);

    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^\{ "partnerId": "[0-9A-Z]{26}", "apiKey": "pk_\S+" \}\n$/);
    const { partnerId } = JSON.parse(created.stdout) as { partnerId: string };
    const [owner] = (await listStaff(partnerId, 10, undefined)).items;
    expect(owner).toMatchObject({ email, fullName: email, role: 'owner', status: 'active' });
    expect(await outboxIdsFor(owner?.id as string, 'staff-invitation')).toHaveLength(1);

    const again = await run('partner:create', '--name', `${name} again`, '--owner-email', email);
    expect(again).toMatchObject({ code: 2, stdout: '' });
    expect(again.stderr).toContain('exists already');
    expect(await partnerNamed(`${name} again`)).toBe(false);
  });
});
