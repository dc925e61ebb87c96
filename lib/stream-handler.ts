/**
 * A DynamoDB stream handler that takes each record on its own: a failed record is reported to
 * Lambda (even when all of them failed), which delivers exactly those again.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { endInvocation } from './invocation.ts';
import { beginInvocation } from './logger.ts';

export function streamRecordHandler(handleRecord: (record: DynamoDBRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event: DynamoDBStreamEvent, context: Context) => {
    beginInvocation(context);
    try {
      return await processPartialResponse(event, handleRecord, processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      endInvocation();
    }
  };
}
