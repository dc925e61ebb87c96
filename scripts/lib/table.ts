import { readFileSync } from 'node:fs';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';

const TABLE_DEFINITION = new URL('../../resources/table.yml', import.meta.url);

interface TableResource {
  Properties: Omit<CreateTableCommandInput, 'TableName' | 'StreamSpecification'> & {
    StreamSpecification: { StreamViewType: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES' };
    TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
  };
}

/** The CreateTable input for the local table, read from the file serverless.yml deploys. */
export function localTableDefinition(tableName: string): CreateTableCommandInput & {
  ttlAttribute: string;
} {
  const resource = parse(readFileSync(TABLE_DEFINITION, 'utf8')) as TableResource;
  const p = resource.Properties;
  return {
    TableName: tableName,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
    BillingMode: p.BillingMode,
    StreamSpecification: {
      StreamEnabled: true,
      StreamViewType: p.StreamSpecification.StreamViewType,
    },
    ttlAttribute: p.TimeToLiveSpecification.AttributeName,
  };
}

/**
 * Creates the table unless it exists; returns whether it was created. A table kept in `.data/`
 * from an older definition gets the indexes it lacks, as CloudFormation would add them.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const { ttlAttribute, ...input } = localTableDefinition(tableName);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of input.GlobalSecondaryIndexes ?? []) {
      if (present.has(index.IndexName)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: input.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    }
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(input));
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
    }),
  );
  return true;
}
