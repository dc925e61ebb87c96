/**
 * What only DynamoDB Local can answer: the requests a use case sends and what the table holds.
 * Scopes, names, bodies, events and builders are in test/support/builders.ts.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';

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

/** Every page, since other test files fill the same table while this one runs. */
/** The outbox messages of a kind about an account (its id) or a staff member (theirs). */
export async function outboxIdsFor(subjectId: string, kind: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression:
          'entity = :outbox AND (accountId = :subject OR staffId = :subject) AND #kind = :kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':subject': subjectId, ':kind': kind },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) ids.push(item.id as string);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

export interface InboxEmail {
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

/** What the SES emulator received for an address. */
export async function emailsTo(address: string): Promise<InboxEmail[]> {
  const response = await fetch(`${process.env.SES_ENDPOINT}/store`);
  const { emails } = (await response.json()) as { emails: InboxEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

/** The temporary password in an e-mail's text. */
export const passwordIn = (text: string) => /Temporary password:\s*(\S+)/.exec(text)?.[1];
