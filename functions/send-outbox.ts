import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '#lib/logger.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { count } from '#lib/metrics.ts';
import { ENTITY } from '#lib/store/keys.ts';
import { streamRecordHandler } from '#lib/stream-handler.ts';

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

export const handler = streamRecordHandler(deliverRecord);
