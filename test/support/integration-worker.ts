/**
 * Each integration test file has a table of its own on the one DynamoDB Local, so two files run
 * at once without seeing each other's items: a whole-table scan finds only its own file's.
 */
import { ulid } from 'ulid';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import { TEST_TABLE } from './ports.ts';

process.env.TABLE_NAME = `${TEST_TABLE}-${ulid().toLowerCase()}`;
await ensureTable(dynamoDb, process.env.TABLE_NAME);
