import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Replaying e-mails the mailer gave up on. The outbox has no index over unsent messages (each
 * message is a partition of its own), so the replay finds them where the mailer did: in the
 * table's stream. Deployed, each message of the failure queue names the stream batch that failed
 * (shard and sequence range); locally there is no queue, and the replay reads the whole stream.
 * Delivery itself (lib/mail/deliver.ts) skips a message already sent, so a replay never sends an
 * e-mail twice and may be run again after a partial failure.
 */
export type Deliver = (messageId: string) => Promise<string>;

export interface ReplayReport {
  batches: number;
  messages: number;
  outcomes: Record<string, number>;
  failed: Array<{ messageId: string; error: string }>;
  /** Failure records whose batch the stream no longer holds (it keeps records 24 hours). */
  expired: number;
}

export const emptyReport = (): ReplayReport => ({
  batches: 0,
  messages: 0,
  outcomes: {},
  failed: [],
  expired: 0,
});

/** The outbox message an INSERT record is the birth of, if it is one. */
function outboxId(record: StreamRecord): string | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== 'OUTBOX') return undefined;
  return image.id?.S;
}

/** The outbox ids in one shard, from `from` (a sequence number, or its start) through `to`. */
export async function outboxIdsInShard(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  range: { from?: string; to?: string } = {},
): Promise<string[]> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ...(range.from
        ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.from }
        : { ShardIteratorType: 'TRIM_HORIZON' }),
    }),
  );
  const ids: string[] = [];
  const last = range.to === undefined ? undefined : BigInt(range.to);
  let iterator = ShardIterator;
  while (iterator) {
    const page = await streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
    );
    const records = page.Records ?? [];
    for (const record of records) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (last !== undefined && sequence && BigInt(sequence) > last) return ids;
      const id = outboxId(record);
      if (id) ids.push(id);
    }
    // An open shard hands out an iterator for ever: an empty page means it is read to its end.
    if (records.length === 0) break;
    iterator = page.NextShardIterator;
  }
  return ids;
}

async function deliverAll(ids: string[], deliver: Deliver, report: ReplayReport) {
  let allDone = true;
  for (const messageId of new Set(ids)) {
    report.messages++;
    try {
      const outcome = await deliver(messageId);
      report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      allDone = false;
      report.failed.push({ messageId, error: (error as Error).message });
    }
  }
  return allDone;
}

/** Local stack: every outbox message still in the table's stream, delivered unless sent. */
export async function replayStream(
  dynamoDb: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  tableName: string,
  deliver: Deliver,
): Promise<ReplayReport> {
  const report = emptyReport();
  const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`The table ${tableName} has no stream`);
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const ids: string[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    if (!shard.ShardId) continue;
    report.batches++;
    ids.push(...(await outboxIdsInShard(streams, streamArn, shard.ShardId)));
  }
  await deliverAll(ids, deliver, report);
  return report;
}

interface FailureRecord {
  DDBStreamBatchInfo?: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    streamArn: string;
  };
}

/**
 * Deployed: each message of the failure queue, its batch's outbox messages delivered, and the
 * message deleted once all of them are; one that still fails stays for the next replay.
 */
export async function replayQueue(
  sqs: SQSClient,
  streams: DynamoDBStreamsClient,
  queueUrl: string,
  deliver: Deliver,
): Promise<ReplayReport> {
  const report = emptyReport();
  const seen = new Set<string>();
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        // Long enough to deliver a batch; a message not deleted comes back for the next replay.
        VisibilityTimeout: 300,
        WaitTimeSeconds: 1,
      }),
    );
    const fresh = (Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) return report;
    for (const message of fresh) {
      seen.add(message.MessageId as string);
      report.batches++;
      const info = (JSON.parse(message.Body ?? '{}') as FailureRecord).DDBStreamBatchInfo;
      if (!info) {
        report.failed.push({
          messageId: message.MessageId as string,
          error: 'not a stream failure record',
        });
        continue;
      }
      let ids: string[];
      try {
        ids = await outboxIdsInShard(streams, info.streamArn, info.shardId, {
          from: info.startSequenceNumber,
          to: info.endSequenceNumber,
        });
      } catch (error) {
        if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
        report.expired++;
        continue;
      }
      if (await deliverAll(ids, deliver, report)) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }
}
