/**
 * What the HTTP tests in this folder do besides requests: make partners and storage keys as the
 * operator CLI does, deliver the outbox as the stream would, read the SES emulator's inbox and
 * age a password. Each file has partners of its own, so a file delivers only its own e-mail.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { handler as sendOutbox } from '#functions/send-outbox.ts';
import { createStorageKey } from '#lib/auth/api-keys.ts';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import { keys } from '#lib/store/keys.ts';
import { sampleEvent } from '../../support/builders.ts';
import type { StoredEmail } from '../../support/http-fixtures.ts';
import { lambdaContext } from '../../support/lambda-context.ts';
import { scanTable } from '../scan.ts';

export { scanTable };

export type Partner = { partnerId: string; apiKey: string; keyId: string };

export const newPartnerWithKey = (name: string, fineIncrements = false): Promise<Partner> =>
  createPartner(name, fineIncrements);

export const newPartnersWithKeys = (...names: string[]): Promise<Partner[]> =>
  Promise.all(names.map((name) => newPartnerWithKey(name)));

export const newStorageKey = async () => (await createStorageKey()).apiKey;

let delivering: Promise<unknown> = Promise.resolve();

/**
 * The partner's unsent outbox messages, sent by the mailer function as their stream records.
 * One delivery at a time, as a stream shard's records go to one invocation at a time: two
 * overlapping deliveries would send the same message twice at once.
 */
export function deliverOutbox(partnerId: string): Promise<void> {
  const turn = delivering.then(() => deliverPending(partnerId));
  delivering = turn.catch(() => {});
  return turn;
}

async function deliverPending(partnerId: string): Promise<void> {
  const pending = (await scanTable()).filter(
    (item) => item.entity === 'OUTBOX' && item.partnerId === partnerId && item.sentAt === null,
  );
  if (pending.length === 0) return;
  const event = sampleEvent<DynamoDBStreamEvent>('dynamodb/outbox-insert');
  const template = event.Records[0] as DynamoDBStreamEvent['Records'][number];
  event.Records = pending.map((item, index) => {
    const key = keys.outbox(item.id as string);
    const image = { PK: { S: key.PK }, SK: { S: key.SK } };
    return {
      ...template,
      eventID: `${template.eventID}-${index}`,
      dynamodb: {
        ...template.dynamodb,
        SequenceNumber: `${Date.now()}${index}`,
        Keys: image,
        NewImage: { ...image, entity: { S: 'OUTBOX' }, id: { S: item.id as string } },
      },
    };
  });
  const result = await sendOutbox(event, lambdaContext());
  expect(result.batchItemFailures).toEqual([]);
}

/** The e-mails the SES emulator holds for an address. */
export async function emailsTo(address: string): Promise<StoredEmail[]> {
  const response = await fetch(`${process.env.SES_ENDPOINT}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

/** Delivers the partner's outbox, then returns the (newest) e-mail to `to`, with that subject. */
export async function mailTo(
  partnerId: string,
  to: string,
  subject?: string | RegExp,
): Promise<StoredEmail> {
  await deliverOutbox(partnerId);
  const found = (await emailsTo(to)).filter(
    (email) =>
      subject === undefined ||
      (typeof subject === 'string' ? email.subject === subject : subject.test(email.subject)),
  );
  const mail = found.at(-1);
  if (!mail) throw new Error(`No e-mail to ${to}${subject ? ` (${subject})` : ''}`);
  return mail;
}

/**
 * Moves an account's password issue time into the past: the one thing a test cannot do over
 * HTTP is wait seven days.
 */
export async function agePassword(accountId: string, days: number): Promise<void> {
  const item = (await scanTable()).find((i) => i.entity === 'ACCOUNT' && i.id === accountId);
  if (!item) throw new Error(`No account ${accountId}`);
  const issuedAt = new Date(Date.parse(String(item.passwordIssuedAt)) - days * 86_400_000);
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { PK: item.PK, SK: item.SK },
      UpdateExpression: 'SET passwordIssuedAt = :at',
      ExpressionAttributeValues: { ':at': issuedAt.toISOString() },
    }),
  );
}
