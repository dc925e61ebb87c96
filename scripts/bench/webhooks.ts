/**
 * Section 7, in a process of its own against a DynamoDB Local of its own (in memory):
 *
 * - the DynamoDB requests of one event delivered to one endpoint, counted by a middleware on
 *   the service's own client (the target: ≤ 3), for one endpoint and for three;
 * - the write units the events of a create add to it: each event item the create wrote is put
 *   again alone with ReturnConsumedCapacity, and doubled as a transaction's write is.
 *
 * Usage: node --import tsx scripts/bench/webhooks.ts --out result.json [--port 8450]
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ulid } from 'ulid';
import { companyBody, newScope } from '../../test/support/builders.ts';
import { startDynamoDb } from '../lib/local-stack.ts';
import { ensureTable } from '../lib/table.ts';
import { freePortFrom, progress, runWithCleanup } from './process.ts';
import type { WebhookResult } from './results.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, port: { type: 'string', default: '8450' } },
});
const TABLE = 'backup-provisioning-bench-webhooks';

async function main(cleanups: Array<() => Promise<void> | void>) {
  const port = await freePortFrom(Number(values.port));
  progress(`section 7: starting DynamoDB Local on port ${port} (in memory)`);
  const starting = startDynamoDb(port, null);
  cleanups.push(async () => (await starting.catch(() => null))?.stop());
  const dynamo = await starting;
  await ensureTable(dynamo.client, TABLE);
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = TABLE;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.SESSION_SECRET ??= 'bench-session-secret-of-at-least-32-characters';
  // The receiver is this process's own, on the local stage's address.
  process.env.STAGE = 'local';

  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bench`;

  const { dynamoDb, documentClient } = await import('#lib/clients/dynamodb.ts');
  cleanups.push(() => dynamoDb.destroy());
  const { createCompany } = await import('#lib/provisioning/companies.ts');
  const { listEvents } = await import('#lib/provisioning/events.ts');
  const { deliverEvent } = await import('#lib/provisioning/webhook-delivery.ts');
  const { createWebhook } = await import('#lib/provisioning/webhooks.ts');
  const { FEED_SETTLE_MS } = await import('#lib/rules/events.ts');
  const { keys } = await import('#lib/store/keys.ts');
  const { GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');

  const sent: string[] = [];
  let recording = false;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchWebhookCounter' },
  );
  const counted = async (run: () => Promise<unknown>) => {
    sent.length = 0;
    recording = true;
    try {
      await run();
    } finally {
      recording = false;
    }
    return [...sent];
  };

  const delivery = async (endpoints: number) => {
    const scope = newScope();
    for (let i = 0; i < endpoints; i++) await createWebhook(scope, { url });
    const { company } = await createCompany(scope, companyBody());
    const settled = new Date(Date.now() + FEED_SETTLE_MS + 1000);
    const events = (await listEvents(scope, { limit: 10 }, settled)).items;
    const event = events.find((e) => e.type === 'company.created' && e.companyId === company.id);
    if (!event) throw new Error('no company.created event');
    const commands = await counted(() => deliverEvent(event, {}));
    return { scope, events, commands };
  };

  progress('section 7: one event delivered to one endpoint, then to three');
  const one = await delivery(1);
  const three = await delivery(3);

  progress('section 7: the write units of a create’s event items');
  const eventUnits: Array<{ type: string; bytes: number; writeUnits: number }> = [];
  for (const event of one.events) {
    const key = keys.event(one.scope.partnerId, event.id);
    const item = (await documentClient.send(new GetCommand({ TableName: TABLE, Key: key }))).Item;
    if (!item) throw new Error(`event item ${event.id} not found`);
    // The same item under a key of its own: a put's consumed capacity is the item's size.
    const copy = { ...item, PK: `BENCH#${ulid()}` };
    const out = await documentClient.send(
      new PutCommand({ TableName: TABLE, Item: copy, ReturnConsumedCapacity: 'TOTAL' }),
    );
    eventUnits.push({
      type: event.type,
      bytes: Buffer.byteLength(JSON.stringify(item)),
      // A transactional write costs twice a standard one.
      writeUnits: 2 * (out.ConsumedCapacity?.CapacityUnits ?? Number.NaN),
    });
  }

  const result: WebhookResult = {
    oneEndpoint: { requests: one.commands.length, commands: one.commands },
    threeEndpoints: {
      requests: three.commands.length,
      perEndpoint: three.commands.length / 3,
      commands: three.commands,
    },
    create: {
      events: eventUnits.length,
      eventWriteUnits: eventUnits.reduce((sum, e) => sum + e.writeUnits, 0),
      perEvent: eventUnits,
    },
  };
  writeFileSync(values.out as string, JSON.stringify(result));
}

await runWithCleanup(main);
