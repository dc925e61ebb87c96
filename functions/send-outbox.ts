import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** Each record is delivered on its own: one failure does not resend the batch's other e-mails. */
async function deliverRecord(record: DynamoDBRecord): Promise<void> {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== 'OUTBOX' || !image.id?.S) return;
  await deliverOutboxMessage(image.id.S);
}

export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, deliverRecord, processor, {
    context,
    // Report every failed record, even when all failed: Lambda retries exactly those.
    throwOnFullBatchFailure: false,
  });
