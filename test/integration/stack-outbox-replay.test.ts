import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ulid } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import { localCredentials } from '#lib/clients/local.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { getOutboxMessage } from '#lib/store/outbox.ts';
import { replayQueue } from '../../scripts/lib/outbox-replay.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import { companyBody, newScope } from '../support/builders.ts';

/** `npm run outbox:replay`: the e-mails the mailer gave up on, delivered once they can be. */
const streams = new DynamoDBStreamsClient({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  region: 'us-east-1',
  credentials: localCredentials(),
});

beforeEach(async () => {
  process.env.TABLE_NAME = `replay-${ulid().toLowerCase()}`;
  await ensureTable(dynamoDb, tableName());
});

/** A company whose admin's welcome e-mail the mailer never sent (no mailer runs here). */
async function unsentWelcome(): Promise<string> {
  await createCompany(newScope(), companyBody(), new Date());
  const out = await documentClient.send(
    new ScanCommand({
      TableName: tableName(),
      FilterExpression: 'entity = :outbox',
      ExpressionAttributeValues: { ':outbox': 'OUTBOX' },
    }),
  );
  const [message] = out.Items ?? [];
  expect(message?.sentAt).toBeNull();
  return message?.id as string;
}

async function replay(args: string[] = []) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/outbox-replay.ts', ...args],
      { env: process.env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The failure record Lambda sends the queue for a stream batch: here, the shard's records. */
async function failureRecordOfShard() {
  const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName() }));
  const streamArn = Table?.LatestStreamArn as string;
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const shardId = StreamDescription?.Shards?.[0]?.ShardId as string;
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
  return {
    requestContext: { condition: 'RetryAttemptsExhausted' },
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: Records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: Records.at(-1)?.dynamodb?.SequenceNumber,
      batchSize: Records.length,
      streamArn,
    },
  };
}

describe('npm run outbox:replay', () => {
  it('on the local stack, delivers the unsent messages of the stream, and nothing twice', async () => {
    const id = await unsentWelcome();
    const first = await replay();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).outcomes).toEqual({ sent: 1 });
    expect((await getOutboxMessage(id))?.sentAt).toEqual(expect.any(String));

    const again = await replay();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).outcomes).toEqual({ 'already-sent': 1 });
  });

  it('refuses unknown arguments and explains itself on --help', async () => {
    const unknown = await replay(['--queue', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: npm run outbox:replay');
    const help = await replay(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--queue-url');
  });

  let mocked: { restore: () => void } | undefined;
  afterEach(() => mocked?.restore());

  /** The failure queue, mocked: one record naming the shard's batch, then nothing more. */
  async function queueHoldingOneFailureRecord() {
    const sqs = mockClient(SQSClient);
    mocked = sqs;
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'r1',
            Body: JSON.stringify(await failureRecordOfShard()),
          },
        ],
      })
      .resolves({ Messages: [] });
    return sqs;
  }

  it('deployed, delivers the batch a failure record names and then deletes the record', async () => {
    const id = await unsentWelcome();
    const sqs = await queueHoldingOneFailureRecord();
    sqs.on(DeleteMessageCommand).resolves({});

    const report = await replayQueue(new SQSClient({ region: 'us-east-1' }), streams, 'q', (m) =>
      deliverOutboxMessage(m),
    );

    expect(report).toMatchObject({ batches: 1, messages: 1, outcomes: { sent: 1 }, failed: [] });
    expect((await getOutboxMessage(id))?.sentAt).toEqual(expect.any(String));
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'q', ReceiptHandle: 'r1' },
    ]);
  });

  it('keeps the failure record while one of its messages still fails', async () => {
    await unsentWelcome();
    const sqs = await queueHoldingOneFailureRecord();

    const report = await replayQueue(new SQSClient({ region: 'us-east-1' }), streams, 'q', () =>
      Promise.reject(new Error('SES is down')),
    );

    expect(report.failed).toHaveLength(1);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
