/**
 * Each integration worker has a table of its own on the one DynamoDB Local, so two files run at
 * once without seeing each other's items: a whole-table scan still finds only its own file's.
 */
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import { TEST_TABLE } from './ports.ts';

process.env.TABLE_NAME = `${TEST_TABLE}-${process.env.VITEST_POOL_ID ?? '1'}`;
await ensureTable(dynamoDb, process.env.TABLE_NAME);
