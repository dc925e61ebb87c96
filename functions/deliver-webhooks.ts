import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '#lib/logger.ts';
import { deliverEvent } from '#lib/provisioning/webhook-delivery.ts';
import { eventFromItem, eventRoutingOf } from '#lib/store/events.ts';
import { ENTITY } from '#lib/store/keys.ts';
import { streamRecordHandler } from '#lib/stream-handler.ts';

type Image = Parameters<typeof unmarshall>[0];

/** Each event on its own: a failure redelivers that record only, whose recorded deliveries are skipped. */
async function deliverRecord(record: DynamoDBRecord): Promise<void> {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== ENTITY.event) return;
  const item = unmarshall(image as Image);
  const event = eventFromItem(item);
  try {
    await deliverEvent(event, eventRoutingOf(item));
  } catch (error) {
    logger().error('Webhook fan-out failed', {
      eventId: event.id,
      error: (error as Error).message,
    });
    throw error;
  }
}

export const handler = streamRecordHandler(deliverRecord);
