/**
 * Sections 1 and 2, in a process of their own against a DynamoDB Local of their own (in memory):
 *
 * 1. DynamoDB requests and consumed capacity per use case, counted by a middleware on the
 *    service's own DynamoDB client (which the DocumentClient shares), with
 *    `ReturnConsumedCapacity: 'TOTAL'` added to every command.
 * 2. The real HTTP handlers (functions/*.ts) invoked in-process with API Gateway v2 events: their
 *    wall time over the time spent inside their DynamoDB sends.
 *
 * Usage: node --import tsx scripts/bench/dynamo.ts --out result.json [--runs 5] [--port 8400]
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import type { CompanyScope } from '#lib/provisioning/scope.ts';
import {
  accountBody,
  accountRecord,
  companyBody,
  inCompany,
  newScope,
  partnerRequest,
  uniqueUsername,
} from '../../test/support/builders.ts';
import { lambdaContext } from '../../test/support/lambda-context.ts';
import { startDynamoDb } from '../lib/local-stack.ts';
import { ensureTable } from '../lib/table.ts';
import { median } from './format.ts';
import { freePortFrom, progress, runWithCleanup } from './process.ts';
import type { HandlerRow, InProcessResult, RequestRow } from './results.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    runs: { type: 'string', default: '5' },
    port: { type: 'string', default: '8400' },
  },
});
const RUNS = Number(values.runs);
/** Handler invocations per run in section 2: a run's ratio is over their summed times. */
const INVOCATIONS_PER_RUN = 5;
const WARM_UP_INVOCATIONS = 3;
const TABLE = 'backup-provisioning-bench';

interface Sent {
  command: string;
  ms: number;
  capacity: number | null;
}

/** What the middleware records while a measurement is open. */
const recorder: { sent: Sent[] | null; addCapacity: boolean } = { sent: null, addCapacity: false };

function capacityOf(output: unknown): number | null {
  const consumed = (output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  if (!consumed) return null;
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as Array<{
    CapacityUnits?: number;
  }>;
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

async function measured<T>(run: () => Promise<T>): Promise<{ result: T; sent: Sent[] }> {
  const sent: Sent[] = [];
  recorder.sent = sent;
  try {
    return { result: await run(), sent };
  } finally {
    recorder.sent = null;
  }
}

type Handler = (
  event: unknown,
  context: Context,
) => Promise<{ statusCode?: number; body?: string } | undefined>;

/** The service modules, imported once the environment points at this DynamoDB Local. */
async function loadService() {
  return {
    dynamoDb: (await import('#lib/clients/dynamodb.ts')).dynamoDb,
    companies: await import('#lib/provisioning/companies.ts'),
    accounts: await import('#lib/provisioning/accounts.ts'),
    usage: await import('#lib/provisioning/usage.ts'),
    items: await import('#lib/store/items.ts'),
    keys: (await import('#lib/store/keys.ts')).keys,
    lib: await import('@aws-sdk/lib-dynamodb'),
  };
}
type Service = Awaited<ReturnType<typeof loadService>>;

/**
 * Times every send of the service's DynamoDB client while a measurement is open and, if asked,
 * adds ReturnConsumedCapacity to it. The DocumentClient shares this client's middleware stack.
 */
function installRecorder({ dynamoDb }: Service) {
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const sent = recorder.sent;
      if (!sent) return next(args);
      if (recorder.addCapacity) {
        args.input = { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' };
      }
      const command = String(context.commandName).replace(/Command$/, '');
      const start = performance.now();
      let capacity: number | null = null;
      try {
        const result = await next(args);
        capacity = capacityOf(result.output);
        return result;
      } finally {
        sent.push({ command, ms: performance.now() - start, capacity });
      }
    },
    { step: 'initialize', name: 'benchRecorder', priority: 'high' },
  );
}

/** Section 1: requests, capacity and DynamoDB time of each use case, per run. */
async function measureRequests({ companies, accounts, usage }: Service): Promise<RequestRow[]> {
  interface OperationSamples {
    bound: number;
    boundLabel: string;
    requests: number[];
    capacity: number[];
    ms: number[];
    commands: string;
  }
  const samples = new Map<string, OperationSamples>();
  let record = false;
  const op = async <T>(
    name: string,
    bound: number,
    boundLabel: string,
    run: () => Promise<T>,
  ): Promise<T> => {
    const { result, sent } = await measured(run);
    if (!record) return result;
    const entry = samples.get(name) ?? {
      bound,
      boundLabel,
      requests: [],
      capacity: [],
      ms: [],
      commands: '',
    };
    entry.requests.push(sent.length);
    const withCapacity = sent.filter((s) => s.capacity !== null);
    if (withCapacity.length > 0) {
      entry.capacity.push(withCapacity.reduce((t, s) => t + (s.capacity ?? 0), 0));
    }
    entry.ms.push(sent.reduce((t, s) => t + s.ms, 0));
    entry.commands = sent.map((s) => s.command).join(' + ');
    samples.set(name, entry);
    return result;
  };

  const oneRun = async (run: number) => {
    const scope = newScope({ name: 'Bench IT' });
    // A 50 GB pool whose admin holds 10 GB: the accounts below fit.
    const created = await op('create company', 1, '', () =>
      companies.createCompany(
        scope,
        companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 10240 } }),
      ),
    );
    const companyId = created.company.id;
    const adminId = created.account.id;
    const parent = await op('create account (parent)', 2, '', () =>
      accounts.createAccount(inCompany(scope, companyId), accountBody()),
    );
    const sub = await op('create sub-account', 2, '', () =>
      accounts.createAccount(inCompany(scope, companyId), accountBody({ parentId: adminId })),
    );
    await op('resize account (hardQuotaMb)', 1, '', () =>
      accounts.updateAccount(inCompany(scope, companyId), parent.account.id, {
        hardQuotaMb: 10240,
      }),
    );
    await op('list accounts (1 page)', 2, 'company + 1/page', () =>
      accounts.listAccounts(inCompany(scope, companyId), 25, undefined),
    );
    await op('usage table (1 page)', 2, 'company + 1/page', () =>
      usage.usageTable(inCompany(scope, companyId), { limit: 25 }),
    );
    await op('usage report (1 account)', 3, '2 reads + 1 write', () =>
      usage.reportUsage([{ accountId: adminId, usedMb: 1000 + run }]),
    );
    await op('cancel account (sub)', 1, '', () =>
      accounts.cancelAccount(inCompany(scope, companyId), sub.account.id),
    );
    await op('cancel account (parent, no subs)', 1, '', () =>
      accounts.cancelAccount(inCompany(scope, companyId), parent.account.id),
    );
  };

  recorder.addCapacity = true;
  try {
    progress('section 1: warm-up run');
    await oneRun(0);
    record = true;
    for (let run = 1; run <= RUNS; run++) {
      progress(`section 1: run ${run}/${RUNS}`);
      await oneRun(run);
    }
  } finally {
    recorder.addCapacity = false;
  }
  return [...samples].map(([operation, s]) => ({
    operation,
    bound: s.bound,
    boundLabel: s.boundLabel,
    requests: median(s.requests),
    commands: s.commands,
    capacity: s.capacity.length === 0 ? null : median(s.capacity),
    dynamoMs: median(s.ms),
  }));
}

/** Accounts added to a company as ready-made items, in parallel batches of 25. */
async function seedAccounts(
  { dynamoDb, items, keys, lib }: Service,
  scope: CompanyScope,
  count: number,
): Promise<void> {
  const at = new Date().toISOString();
  const all = Array.from({ length: count }, (_, i) =>
    items.accountToItem(
      accountRecord({
        id: ulid(),
        partnerId: scope.partnerId,
        companyId: scope.companyId,
        username: uniqueUsername(`seed${i}`),
        kind: 'sub',
        contactId: scope.companyId,
        hardQuotaMb: 5120,
        usedMb: 100,
        createdAt: at,
        updatedAt: at,
      }),
    ),
  );
  const client = lib.DynamoDBDocumentClient.from(dynamoDb);
  const batches: Array<typeof all> = [];
  for (let i = 0; i < all.length; i += 25) batches.push(all.slice(i, i + 25));
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let pending: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const out: { UnprocessedItems?: Record<string, unknown[]> } = await client.send(
          new lib.BatchWriteCommand({ RequestItems: { [TABLE]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[TABLE];
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  // The company's counters as the transactions creating them would have left them.
  await client.send(
    new lib.UpdateCommand({
      TableName: TABLE,
      Key: keys.company(scope.partnerId, scope.companyId),
      UpdateExpression:
        'ADD accountCount :n, listedSizeMb :size, listedUsedMb :used, usedMb :used, totalsVersion :one',
      ExpressionAttributeValues: {
        ':n': count,
        ':size': count * 5120,
        ':used': count * 100,
        ':one': 1,
      },
    }),
  );
}

/** Section 1: the capacity of one usage-table page (10 rows) of a 10 000-account company over a 10-account one. */
async function measureUsagePage(service: Service) {
  const capacityOfPage = async (accountCount: number) => {
    const partner = newScope({ name: 'Bench IT' });
    const created = await service.companies.createCompany(partner, companyBody({ quotaMb: null }));
    const scope = inCompany(partner, created.company.id);
    const started = performance.now();
    await seedAccounts(service, scope, accountCount - 1);
    const seedS = (performance.now() - started) / 1000;
    recorder.addCapacity = true;
    try {
      // Pages of the same number of rows (the small company has 10), so the ratio is the cost of
      // the company's size alone.
      const { sent, result } = await measured(() => service.usage.usageTable(scope, { limit: 10 }));
      if (result.totals.accounts !== accountCount) throw new Error('usage totals off');
      return { capacity: sent.reduce((t, s) => t + (s.capacity ?? 0), 0), seedS };
    } finally {
      recorder.addCapacity = false;
    }
  };
  progress('section 1: seeding a company of 10 000 accounts');
  const large = await capacityOfPage(10_000);
  const small = await capacityOfPage(10);
  return {
    largeAccounts: 10_000,
    smallAccounts: 10,
    largeCapacity: large.capacity,
    smallCapacity: small.capacity,
    ratio: large.capacity / small.capacity,
    seedS: large.seedS,
  };
}

/** Section 2: the real handlers' wall time over the time spent in their DynamoDB sends. */
async function measureHandlers({ companies, accounts }: Service): Promise<HandlerRow[]> {
  const handlers = {
    createCompany: (await import('#functions/create-company.ts')).handler as unknown as Handler,
    createAccount: (await import('#functions/create-account.ts')).handler as unknown as Handler,
    getAccount: (await import('#functions/get-account.ts')).handler as unknown as Handler,
    listAccounts: (await import('#functions/list-accounts.ts')).handler as unknown as Handler,
  };
  const scope = newScope({ name: 'Bench IT' });
  const fixture = await companies.createCompany(
    scope,
    companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 10240 } }),
  );
  const companyId = fixture.company.id;
  const adminId = fixture.account.id;
  for (let i = 0; i < 4; i++) {
    await accounts.createAccount(inCompany(scope, companyId), accountBody({ parentId: adminId }));
  }

  /** Each gives the handler and its event, prepared outside the timing. */
  const operations: Array<[string, () => Promise<[Handler, unknown]>]> = [
    [
      'create company',
      async () => [
        handlers.createCompany,
        partnerRequest(scope, {
          method: 'POST',
          route: '/v1/companies',
          path: '/v1/companies',
          body: companyBody(),
        }),
      ],
    ],
    [
      'create account',
      async () => {
        // A company of its own for each new parent account: one parent per plan.
        const company = await companies.createCompany(scope, companyBody({ quotaMb: null }));
        const id = company.company.id;
        return [
          handlers.createAccount,
          partnerRequest(scope, {
            method: 'POST',
            route: '/v1/companies/{companyId}/accounts',
            path: `/v1/companies/${id}/accounts`,
            pathParameters: { companyId: id },
            body: accountBody(),
          }),
        ];
      },
    ],
    [
      'get account',
      async () => [
        handlers.getAccount,
        partnerRequest(scope, {
          method: 'GET',
          route: '/v1/companies/{companyId}/accounts/{accountId}',
          path: `/v1/companies/${companyId}/accounts/${adminId}`,
          pathParameters: { companyId, accountId: adminId },
        }),
      ],
    ],
    [
      'list accounts',
      async () => [
        handlers.listAccounts,
        partnerRequest(scope, {
          method: 'GET',
          route: '/v1/companies/{companyId}/accounts',
          path: `/v1/companies/${companyId}/accounts`,
          pathParameters: { companyId },
        }),
      ],
    ],
  ];

  const invoke = async (prepare: () => Promise<[Handler, unknown]>) => {
    const [handler, event] = await prepare();
    const { result, sent } = await measured(async () => {
      const start = performance.now();
      const reply = await handler(event, lambdaContext());
      return { reply, ms: performance.now() - start };
    });
    const status = result.reply?.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw new Error(`Handler answered ${status}: ${result.reply?.body ?? ''}`);
    }
    return { handlerMs: result.ms, dynamoMs: sent.reduce((t, s) => t + s.ms, 0) };
  };

  const rows: HandlerRow[] = [];
  for (const [operation, prepare] of operations) {
    progress(`section 2: ${operation}`);
    for (let i = 0; i < WARM_UP_INVOCATIONS; i++) await invoke(prepare);
    const handlerMs: number[] = [];
    const dynamoMs: number[] = [];
    const ratios: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let handlerSum = 0;
      let dynamoSum = 0;
      for (let i = 0; i < INVOCATIONS_PER_RUN; i++) {
        const timing = await invoke(prepare);
        handlerSum += timing.handlerMs;
        dynamoSum += timing.dynamoMs;
      }
      handlerMs.push(handlerSum / INVOCATIONS_PER_RUN);
      dynamoMs.push(dynamoSum / INVOCATIONS_PER_RUN);
      ratios.push(handlerSum / dynamoSum);
    }
    rows.push({
      operation,
      handlerMs: median(handlerMs),
      dynamoMs: median(dynamoMs),
      ratio: median(ratios),
    });
  }
  return rows;
}

async function main(cleanups: Array<() => Promise<void> | void>) {
  const port = await freePortFrom(Number(values.port));
  progress(`starting DynamoDB Local on port ${port} (in memory)`);
  const starting = startDynamoDb(port, null);
  // Registered before it is up, so an interruption while it starts still stops it.
  cleanups.push(async () => (await starting.catch(() => null))?.stop());
  const dynamo = await starting;
  await ensureTable(dynamo.client, TABLE);

  // The service's clients read these at module load: set them first, then import.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = TABLE;
  process.env.AWS_REGION ??= 'us-east-1';
  // The handlers key idempotency records with the session secret; any value does here.
  process.env.SESSION_SECRET ??= 'bench-session-secret-of-at-least-32-characters';
  const service = await loadService();
  cleanups.push(() => service.dynamoDb.destroy());
  installRecorder(service);

  const result: InProcessResult = {
    runs: RUNS,
    invocationsPerRun: INVOCATIONS_PER_RUN,
    requests: await measureRequests(service),
    usagePage: await measureUsagePage(service),
    handlers: await measureHandlers(service),
  };
  writeFileSync(values.out as string, JSON.stringify(result));
}

await runWithCleanup(main);
