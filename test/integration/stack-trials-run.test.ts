import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ulid } from 'ulid';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import { getAccount } from '#lib/provisioning/accounts.ts';
import { lastCompletedDay, markCompletedThrough } from '#lib/store/trials.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import { createAccountIn, createCompanyFor, newScope } from '../support/builders.ts';

/**
 * `npm run trials:run`, as an operator runs it, against DynamoDB Local with the real clock: a
 * run as of another instant must not hide from the real runs any step that is due.
 */
const DAY = 86_400_000;
const R = Date.now();
const day = (offsetDays: number) => new Date(R + offsetDays * DAY).toISOString().slice(0, 10);

beforeEach(async () => {
  process.env.TABLE_NAME = `trials-run-${ulid().toLowerCase()}`;
  await ensureTable(dynamoDb, tableName());
});

async function trialsRun(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/trials-run.ts', ...args],
      { env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A 3-day trial written 4 days ago: its 1-day reminder was filed under the day before yesterday
 * and it has ended since. Written after the job last completed (it has been failing since).
 */
async function endedTrial() {
  const written = new Date(R - 4 * DAY);
  const { companyScope } = await createCompanyFor(
    newScope(),
    { quotaMb: 51200, admin: { hardQuotaMb: 10240 } },
    written,
  );
  const { account } = await createAccountIn(companyScope, { plan: 'trial', trialDays: 3 }, written);
  return { scope: companyScope, account };
}

describe('npm run trials:run', () => {
  it('as of a week ahead, leaves the mark, so the next real run still expires a trial filed earlier', async () => {
    await markCompletedThrough(day(-5));
    const ahead = await trialsRun(['--now', new Date(R + 7 * DAY).toISOString()]);
    expect(ahead.code, ahead.stderr).toBe(0);
    expect(await lastCompletedDay()).toBe(day(-5));

    const { scope, account } = await endedTrial();
    const real = await trialsRun([]);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ expired: 1 });
    expect((await getAccount(scope, account.id)).status).toBe('expired');
    expect(await lastCompletedDay()).toBe(day(0));
  });

  it('does not trust a mark past today left by an earlier version, and replaces it', async () => {
    await markCompletedThrough(day(7));
    const { scope, account } = await endedTrial();
    const real = await trialsRun([]);
    expect(real.code, real.stderr).toBe(0);
    expect((await getAccount(scope, account.id)).status).toBe('expired');
    expect(await lastCompletedDay()).toBe(day(0));
  });

  it('refuses --now against a deployed stage unless told --i-know', async () => {
    const refused = await trialsRun(['--now', new Date(R + 7 * DAY).toISOString()], {
      DYNAMODB_ENDPOINT: '',
      TABLE_NAME: 'backup-provisioning-prod',
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--i-know');
  });

  it('refuses unknown arguments and explains itself on --help', async () => {
    const unknown = await trialsRun(['--nwo', 'tomorrow']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: npm run trials:run');
    const help = await trialsRun(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--i-know');
  });
});
