/**
 * API keys: random, shown once, stored only as a SHA-256 hash under which the key's owner is
 * found. A fast hash suits keys with 256 bits of entropy; passwords use scrypt instead.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { ENTITY, keys } from '#lib/store/keys.ts';
import type { Principal } from './principal.ts';
import { generateApiKey, hashApiKey } from './secrets.ts';

export async function principalForApiKey(apiKey: string): Promise<Principal> {
  if (!/^(pk|sk)_[A-Za-z0-9_-]{43}$/.test(apiKey)) return { kind: 'anonymous' };
  const out = await documentClient.send(
    new GetCommand({ TableName: tableName(), Key: keys.apiKey(hashApiKey(apiKey)) }),
  );
  const item = out.Item;
  if (!item || item.entity !== ENTITY.apiKey || item.revokedAt) return { kind: 'anonymous' };
  if (item.role === 'storage') return { kind: 'storage' };
  if (item.role === 'partner' && typeof item.partnerId === 'string') {
    return {
      kind: 'partner',
      partnerId: item.partnerId,
      partnerName: String(item.partnerName ?? ''),
      fineIncrements: item.fineIncrements === true,
    };
  }
  return { kind: 'anonymous' };
}

export interface CreatedPartner {
  partnerId: string;
  apiKey: string;
}

export async function createPartner(
  name: string,
  fineIncrements: boolean,
  now = new Date(),
): Promise<CreatedPartner> {
  const partnerId = ulid();
  const apiKey = generateApiKey('pk');
  const at = now.toISOString();
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.partner(partnerId),
              entity: ENTITY.partner,
              id: partnerId,
              name,
              fineIncrements,
              createdAt: at,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: tableName(),
            // The partner's name and entitlements travel with the key so the authorizer
            // resolves a caller in one read.
            Item: {
              ...keys.apiKey(hashApiKey(apiKey)),
              entity: ENTITY.apiKey,
              role: 'partner',
              partnerId,
              partnerName: name,
              fineIncrements,
              createdAt: at,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    }),
  );
  return { partnerId, apiKey };
}

export async function createStorageKey(now = new Date()): Promise<{ apiKey: string }> {
  const apiKey = generateApiKey('sk');
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.apiKey(hashApiKey(apiKey)),
              entity: ENTITY.apiKey,
              role: 'storage',
              createdAt: now.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    }),
  );
  return { apiKey };
}
