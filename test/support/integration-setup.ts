import { startDynamoDb, startSes } from '../../scripts/lib/local-stack.ts';
import { integrationPorts } from './ports.ts';

/**
 * Real DynamoDB Local (in memory) and the SES emulator for the integration tests; each test
 * file makes its own table in it (integration-worker.ts).
 */
export default async function setup() {
  const dynamo = await startDynamoDb(integrationPorts.dynamoDb, null);
  let ses: Awaited<ReturnType<typeof startSes>> | undefined;
  try {
    ses = await startSes(integrationPorts.ses);
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  return async () => {
    await ses?.stop();
    await dynamo.stop();
  };
}
