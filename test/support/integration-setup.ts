import { startDynamoDb, startSes } from '../../scripts/lib/local-stack.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import { integrationPorts, TEST_TABLE } from './ports.ts';

/** Real DynamoDB Local (in memory) and the SES emulator for the integration tests. */
export default async function setup() {
  const dynamo = await startDynamoDb(integrationPorts.dynamoDb, null);
  let ses: Awaited<ReturnType<typeof startSes>> | undefined;
  try {
    await ensureTable(dynamo.client, TEST_TABLE);
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
