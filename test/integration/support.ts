import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import type { CompanyScope, TenantScope } from '#lib/provisioning/scope.ts';
import type { CreateCompanyBody } from '#lib/schemas.ts';
import outboxInsertEvent from '../../events/dynamodb/outbox-insert.json' with { type: 'json' };
import authorizerRequestEvent from '../../events/http/authorizer-request.json' with {
  type: 'json',
};
import createCompanyEvent from '../../events/http/create-company.json' with { type: 'json' };
import loginEvent from '../../events/http/login.json' with { type: 'json' };

let sequence = 0;

/** A partner of its own per test: tests share one table and never see each other's data. */
export function newScope(options: { fineIncrements?: boolean; name?: string } = {}): TenantScope {
  const partnerId = ulid();
  return {
    partnerId,
    partnerName: options.name ?? 'Acme IT',
    fineIncrements: options.fineIncrements ?? false,
    companyId: null,
    actor: `partner:${partnerId}`,
    actingAs: null,
  };
}

/** The scope a company's route hands its use case: the tenant, pinned to that company. */
export const inCompany = (scope: TenantScope, companyId: string): CompanyScope => ({
  ...scope,
  companyId,
});

export const uniqueUsername = (prefix = 'user') =>
  `${prefix}.${Date.now().toString(36)}.${(sequence++).toString(36)}.${Math.random().toString(36).slice(2, 6)}`;

export function companyBody(overrides: Partial<CreateCompanyBody> = {}): CreateCompanyBody {
  const username = uniqueUsername('admin');
  return {
    name: 'HighTech',
    quotaMb: 10240,
    contact: { fullName: 'Hanna Tech', email: `${username}@hightech.example` },
    admin: { username, plan: 'select' },
    ...overrides,
  };
}

/** Counts the DynamoDB requests sent while `run` runs, by command name. */
export async function countRequests<T>(
  run: () => Promise<T>,
): Promise<{ result: T; requests: string[] }> {
  const requests: string[] = [];
  const name = `count-${ulid()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), requests };
  } finally {
    dynamoDb.middlewareStack.remove(name);
  }
}

/** A Lambda context for invoking handlers in-process. */
export { lambdaContext } from '../support/lambda-context.ts';

/** A sample event from events/, as a fresh copy the test may change. */
export function sampleEvent<T>(name: string): T {
  return structuredClone(samples[name]) as T;
}

const samples: Record<string, unknown> = {
  'http/create-company': createCompanyEvent,
  'http/authorizer-request': authorizerRequestEvent,
  'http/login': loginEvent,
  'dynamodb/outbox-insert': outboxInsertEvent,
};

/** Every page, since other test files fill the same table while this one runs. */
export async function outboxIdsFor(accountId: string, kind: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'entity = :outbox AND accountId = :account AND #kind = :kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':account': accountId, ':kind': kind },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) ids.push(item.id as string);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}
