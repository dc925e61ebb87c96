/**
 * The trial job at scale: 100 000 accounts, of which 100 trials are due today, against DynamoDB
 * Local. Compares the read capacity the job consumes with what reading the 100 due items alone
 * costs. Run by `npm run bench` in its own process (it configures the SDK client through the
 * environment before loading the service code); prints one JSON line.
 *
 *   node --import tsx scripts/bench/trial-scale.ts [--port 8420] [--accounts 100000] [--due 100]
 *     [--out result.json]   (written there as well as printed)
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDynamoDb } from '../lib/local-stack.ts';
import { ensureTable } from '../lib/table.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8420' },
    accounts: { type: 'string', default: '100000' },
    due: { type: 'string', default: '100' },
    out: { type: 'string' },
  },
});
const port = Number(values.port);
const totalAccounts = Number(values.accounts);
const dueCount = Number(values.due);
const ACCOUNTS_PER_COMPANY = 100;
const DAY = 86_400_000;

const dynamo = await startDynamoDb(port, null);
try {
  process.env.TABLE_NAME = 'bench-trials';
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  await ensureTable(dynamo.client, process.env.TABLE_NAME);

  const { BatchWriteCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documentClient, dynamoDb, tableName } = await import('#lib/clients/dynamodb.ts');
  const { accountToItem, companyToItem } = await import('#lib/store/items.ts');
  const { keys, TRIAL_INDEX } = await import('#lib/store/keys.ts');
  const { markCompletedThrough } = await import('#lib/store/trials.ts');
  const { runTrialJob } = await import('#lib/provisioning/trials.ts');
  const { firstPendingStage } = await import('#lib/rules/trials.ts');
  type Account = import('#lib/model.ts').Account;

  const now = new Date('2027-06-15T09:00:00.000Z');
  const nowIso = now.toISOString();
  const partnerId = '01JBENCHPARTNER00000000000';
  const seededAt = new Date(now.getTime() - 40 * DAY).toISOString();

  /** Account n: every 5th an open trial not yet due; the first `dueCount` due today. */
  function account(n: number): Account {
    const companyId = `C${String(Math.floor(n / ACCOUNTS_PER_COMPANY)).padStart(25, '0')}`;
    const id = `A${String(n).padStart(25, '0')}`;
    const base: Account = {
      id,
      partnerId,
      companyId,
      username: `bench.user.${n}`,
      kind: 'parent',
      parentId: null,
      plan: 'select',
      contactId: companyId,
      status: 'active',
      hardQuotaMb: 5120,
      userQuotaMb: null,
      usedMb: n % 4000,
      ultraSafe: false,
      secretQuestion: null,
      secretAnswerHash: null,
      passwordHash:
        'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      passwordIssuedAt: seededAt,
      mustChangePassword: false,
      trialEndsAt: null,
      trialStage: null,
      subAccountCount: 0,
      createdAt: seededAt,
      updatedAt: seededAt,
    };
    if (n < dueCount) {
      // Half get their 7-day reminder today, half expire today.
      const endsAt = new Date(now.getTime() + (n % 2 === 0 ? 7 * DAY - 3_600_000 : -3_600_000));
      return {
        ...base,
        plan: 'trial',
        hardQuotaMb: 512,
        trialEndsAt: endsAt.toISOString(),
        trialStage: n % 2 === 0 ? 'reminder-7' : 'expire',
      };
    }
    if (n % 5 === 0) {
      const endsAt = new Date(now.getTime() + (10 + (n % 50)) * DAY).toISOString();
      return {
        ...base,
        plan: 'trial',
        hardQuotaMb: 512,
        trialEndsAt: endsAt,
        trialStage: firstPendingStage(endsAt, nowIso),
      };
    }
    return base;
  }

  const seedStart = Date.now();
  const items: Record<string, unknown>[] = [];
  for (let c = 0; c * ACCOUNTS_PER_COMPANY < totalAccounts; c++) {
    const companyId = `C${String(c).padStart(25, '0')}`;
    items.push(
      companyToItem({
        id: companyId,
        partnerId,
        name: `Company ${c}`,
        quotaMb: null,
        allocatedMb: 0,
        usedMb: 0,
        accountCount: ACCOUNTS_PER_COMPANY,
        licenses: { egr: 0, spV5: 0 },
        endGuard: false,
        status: 'active',
        adminAccountId: `A${String(c * ACCOUNTS_PER_COMPANY).padStart(25, '0')}`,
        adminContactId: companyId,
        createdAt: seededAt,
        updatedAt: seededAt,
      }),
    );
  }
  for (let n = 0; n < totalAccounts; n++) items.push(accountToItem(account(n)));
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] as Record<string, unknown>[];
        let pending = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const out = await documentClient.send(
            new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }),
          );
          pending = (out.UnprocessedItems?.[tableName()] ?? []) as typeof pending;
        }
      }
    }),
  );
  const seedSeconds = (Date.now() - seedStart) / 1000;
  await markCompletedThrough(new Date(now.getTime() - DAY).toISOString().slice(0, 10));

  // Reading the due items alone: one query of today's bucket, eventually consistent like the job.
  let directCapacity = 0;
  let directItems = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: TRIAL_INDEX,
        KeyConditionExpression: 'TrialDuePK = :day AND TrialDueSK <= :upTo',
        ExpressionAttributeValues: {
          ':day': keys.trialDueDay(nowIso.slice(0, 10)),
          ':upTo': keys.trialDueUpTo(nowIso),
        },
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    directCapacity += out.ConsumedCapacity?.CapacityUnits ?? 0;
    directItems += out.Items?.length ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);

  // Every read the job makes, whatever the command, with its consumed capacity.
  let jobReadCapacity = 0;
  let jobReads = 0;
  const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
  dynamoDb.middlewareStack.add(
    (nextHandler, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await nextHandler(args);
      if (READS.has(String(context.commandName))) {
        jobReads++;
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          jobReadCapacity += (entry as { CapacityUnits?: number }).CapacityUnits ?? 0;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  const jobStart = Date.now();
  const result = await runTrialJob({ now });
  const jobSeconds = (Date.now() - jobStart) / 1000;

  const figures = JSON.stringify({
    accounts: totalAccounts,
    openTrials: items.filter((item) => item.TrialDuePK).length,
    due: directItems,
    seedSeconds,
    directReadCapacity: directCapacity,
    jobReadCapacity,
    jobReadRequests: jobReads,
    ratio: jobReadCapacity / directCapacity,
    jobSeconds,
    reminders7: result.reminders7,
    expired: result.expired,
    daysScanned: result.daysScanned.length,
  });
  console.log(figures);
  if (values.out) writeFileSync(values.out, figures);
} finally {
  await dynamo.stop();
}
