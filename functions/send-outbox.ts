import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { endInvocation } from '#lib/invocation.ts';
import { beginInvocation, logger } from '#lib/logger.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { count } from '#lib/metrics.ts';
import { ENTITY } from '#lib/store/keys.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** Each record is delivered on its own: one failure does not resend the batch's other e-mails. */
async function deliverRecord(record: DynamoDBRecord): Promise<void> {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== ENTITY.outbox || !image.id?.S) return;
  // No messageId key appended to the logger: the batch's records are delivered concurrently, so
  // a shared key would name whichever record began last. Each line of the delivery names its own.
  const messageId = image.id.S;
  try {
    await deliverOutboxMessage(messageId);
  } catch (error) {
    // Reported to Lambda as a failed record, so the stream delivers it again.
    count('EmailsFailed');
    logger().error('E-mail delivery failed', { messageId, error: (error as Error).message });
    throw error;
  }
}

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  beginInvocation(context);
  try {
    return await processPartialResponse(event, deliverRecord, processor, {
      context,
      // Report every failed record, even when all failed: Lambda retries exactly those.
      throwOnFullBatchFailure: false,
    });
  } finally {
    endInvocation();
  }
};
