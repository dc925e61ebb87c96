import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from './local.ts';

/**
 * One client per container: created at module load so warm invocations reuse its connections.
 * DYNAMODB_ENDPOINT points the same code at DynamoDB Local; empty means AWS.
 */
const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;

export const dynamoDb = new DynamoDBClient({
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(endpoint ? { endpoint, credentials: localCredentials() } : {}),
  maxAttempts: 4,
});

export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});

export const tableName = (): string => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
};
