/**
 * Each integration test file has a database of its own on the one DynamoDB Local: DynamoDB
 * Local keeps one per access key and serves one request at a time in each, so files run at once
 * without waiting on each other's requests or seeing each other's items (a whole-table scan
 * finds only its own file's). The processes a test starts inherit the key.
 */
import { ulid } from 'ulid';
import { TEST_TABLE } from './ports.ts';

process.env.LOCAL_ACCESS_KEY_ID = `test${ulid()}`;
process.env.TABLE_NAME = `${TEST_TABLE}-${ulid().toLowerCase()}`;
const { dynamoDb } = await import('#lib/clients/dynamodb.ts');
const { ensureTable } = await import('../../scripts/lib/table.ts');
await ensureTable(dynamoDb, process.env.TABLE_NAME);
