import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { handler as authorize } from '#functions/authorizer.ts';
import { createApiKey, generatePartnerKey, principalForApiKey } from '#lib/auth/api-keys.ts';
import type { PartnerPrincipal } from '#lib/auth/principal.ts';
import { generateApiKey, hashApiKey } from '#lib/auth/secrets.ts';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import { logger } from '#lib/logger.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import {
  findApiKey,
  findApiKeyPartner,
  listApiKeys,
  PartnerNotFoundError,
  revokeApiKey,
  touchApiKey,
} from '#lib/store/api-keys.ts';
import { keys } from '#lib/store/keys.ts';
import { partnerToItem, setFineIncrements } from '#lib/store/partners.ts';
import { getItem } from '#lib/store/table.ts';
import { sampleEvent } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { countRequests } from './support.ts';

const T0 = new Date('2026-12-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function partnerWithKey(fineIncrements = false) {
  const created = await createPartner('Keys IT', fineIncrements, T0);
  return created;
}

describe('a partner key', () => {
  it('is created as a full key by the operator, listed, and found by id, without the key stored', async () => {
    // Act
    const { partnerId, apiKey, keyId } = await partnerWithKey();

    // Assess
    const page = await listApiKeys(partnerId, 10, null);
    expect(page).toEqual({
      items: [
        {
          id: keyId,
          partnerId,
          name: 'Created by the operator',
          scope: 'full',
          prefix: apiKey.slice(0, 11),
          createdAt: T0.toISOString(),
          createdBy: 'operator',
          lastUsedAt: null,
          revokedAt: null,
        },
      ],
      nextCursor: null,
    });
    expect(await findApiKey(partnerId, keyId)).toEqual(page.items[0]);
    expect(await findApiKey(partnerId, ulid())).toBeNull();
    expect(await findApiKey(ulid(), keyId)).toBeNull();
    expect(await findApiKeyPartner(keyId)).toBe(partnerId);
    expect(await findApiKeyPartner(ulid())).toBeNull();
    const stored = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.partner(partnerId).PK },
      }),
    );
    const lookup = await getItem(keys.apiKey(hashApiKey(apiKey)));
    expect(stored.Items).toHaveLength(2);
    expect(lookup).toMatchObject({ partnerId, keyId, scope: 'full' });
    expect(JSON.stringify([stored.Items, lookup])).not.toContain(apiKey.slice(11));
  });

  it('lists a partner’s keys page by page, in the order they were made, and only its own', async () => {
    // Prepare
    const { partnerId, keyId } = await partnerWithKey();
    const other = await partnerWithKey();
    const made = [];
    for (const [i, scope] of (['read', 'full', 'read'] as const).entries()) {
      made.push(
        await createApiKey(
          partnerId,
          { name: `Key ${i}`, scope, createdBy: 'staff:01JSTAFF000000000000000000' },
          at(i + 1),
        ),
      );
    }

    // Act
    const first = await listApiKeys(partnerId, 2, null);
    const second = await listApiKeys(partnerId, 2, first.nextCursor);

    // Assess
    expect(first.items.map((key) => key.id)).toEqual([keyId, made[0]?.key.id]);
    expect(second.items).toEqual([made[1]?.key, made[2]?.key]);
    expect(second.items.map((key) => key.scope)).toEqual(['full', 'read']);
    const all = [...first.items, ...second.items];
    expect(all.map((key) => key.id)).not.toContain(other.keyId);
    expect(new Set(all.map((key) => key.prefix)).size).toBe(4);
    await expect(listApiKeys(other.partnerId, 2, first.nextCursor)).resolves.toMatchObject({
      items: [],
    });
  });

  it('cannot be made for a partner that does not exist', async () => {
    await expect(
      createApiKey(ulid(), { name: 'Orphan', scope: 'full', createdBy: 'operator' }, T0),
    ).rejects.toBeInstanceOf(PartnerNotFoundError);
  });
});

describe('the authorizer’s key path', () => {
  it('resolves a key and its partner in one request once the key’s last use is recorded', async () => {
    // Prepare
    const { partnerId, apiKey, keyId } = await partnerWithKey(true);
    await principalForApiKey(apiKey, at(10));

    // Act
    const { result, requests } = await countRequests(() => principalForApiKey(apiKey, at(20)));

    // Assess
    expect(requests).toEqual(['BatchGetItemCommand']);
    expect(result).toEqual({
      kind: 'partner',
      partnerId,
      partnerName: 'Keys IT',
      fineIncrements: true,
      via: { type: 'key', id: keyId, scope: 'full' },
    });
  });

  it('passes the key id and scope on in the authorizer context', async () => {
    // Prepare
    const { partnerId } = await partnerWithKey();
    const { apiKey, key } = await createApiKey(
      partnerId,
      { name: 'Reporting', scope: 'read', createdBy: 'operator' },
      T0,
    );
    const event = sampleEvent<Parameters<typeof authorize>[0]>('http/authorizer-request');
    event.headers = { authorization: `Bearer ${apiKey}` };

    // Act
    const answer = await authorize(event, lambdaContext());

    // Assess
    expect(answer.context).toMatchObject({ kind: 'partner', keyId: key.id, keyScope: 'read' });
  });

  it('sees a change of entitlement at once, without rewriting the key', async () => {
    // Prepare
    const { partnerId, apiKey } = await partnerWithKey(false);
    const before = (await principalForApiKey(apiKey, at(1))) as PartnerPrincipal;

    // Act
    const changed = await setFineIncrements(partnerId, true);
    const after = (await principalForApiKey(apiKey, at(2))) as PartnerPrincipal;

    // Assess
    expect(before.fineIncrements).toBe(false);
    expect(changed).toMatchObject({ id: partnerId, fineIncrements: true });
    expect(after.fineIncrements).toBe(true);
    expect(await setFineIncrements(ulid(), true)).toBeNull();
  });

  it('refuses a key naming another partner than its own, and one of a partner that is gone', async () => {
    // Prepare
    const mine = await partnerWithKey();
    const other = await partnerWithKey();
    const secret = mine.apiKey.slice(0, 46);
    const unknownPartner = ulid();
    const orphan = generatePartnerKey(unknownPartner);
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.apiKey(hashApiKey(orphan)),
          entity: 'APIKEY',
          role: 'partner',
          partnerId: unknownPartner,
          keyId: ulid(),
          scope: 'full',
        },
      }),
    );

    // Act
    const swapped = await principalForApiKey(`${secret}_${other.partnerId}`, at(1));
    const gone = await principalForApiKey(orphan, at(1));

    // Assess
    expect(swapped).toEqual({ kind: 'anonymous' });
    expect(gone).toEqual({ kind: 'anonymous' });
  });

  it('records the last use at most once a minute per key', async () => {
    // Prepare
    const { partnerId, apiKey, keyId } = await partnerWithKey();

    // Act
    const first = await countRequests(() => principalForApiKey(apiKey, at(0)));
    const soon = await countRequests(() => principalForApiKey(apiKey, at(59)));
    const afterSoon = await findApiKey(partnerId, keyId);
    const later = await countRequests(() => principalForApiKey(apiKey, at(61)));
    // A second authorizer that read the key before `later` wrote: its condition stops it.
    const raced = await touchApiKey(hashApiKey(apiKey), partnerId, keyId, at(62));

    // Assess
    expect(first.requests).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(soon.requests).toEqual(['BatchGetItemCommand']);
    expect(afterSoon?.lastUsedAt).toBe(at(0).toISOString());
    expect(later.requests).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(raced).toBe(false);
    expect((await findApiKey(partnerId, keyId))?.lastUsedAt).toBe(at(61).toISOString());
    expect(await getItem(keys.apiKey(hashApiKey(apiKey)))).toMatchObject({
      lastUsedAt: at(61).toISOString(),
    });
  });

  it('answers the request when recording the last use fails, with a warning', async () => {
    // Prepare
    const { partnerId, apiKey } = await partnerWithKey();
    const warn = vi.spyOn(logger(), 'warn');
    const name = `fail-touch-${ulid()}`;
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') throw new Error('throttled');
        return next(args);
      },
      { step: 'initialize', name },
    );

    // Act
    const principal = await principalForApiKey(apiKey, at(5)).finally(() =>
      dynamoDb.middlewareStack.remove(name),
    );

    // Assess
    expect(principal).toMatchObject({ kind: 'partner', partnerId });
    expect(warn).toHaveBeenCalledWith(
      'Could not record the key as used',
      expect.objectContaining({ error: 'throttled' }),
    );
    warn.mockRestore();
  });
});

describe('revoking a key', () => {
  it('shuts it out at once, on both items, and again changes nothing', async () => {
    // Prepare
    const { partnerId, apiKey, keyId } = await partnerWithKey();
    const other = await createApiKey(
      partnerId,
      { name: 'Kept', scope: 'full', createdBy: 'operator' },
      // A later instant: ids made in the same millisecond have no order.
      at(1),
    );
    await principalForApiKey(apiKey, at(1));

    // Act
    const revoked = await revokeApiKey(partnerId, keyId, at(2));
    const principal = await principalForApiKey(apiKey, at(3));
    const again = await countRequests(() => revokeApiKey(partnerId, keyId, at(4)));

    // Assess
    expect(revoked).toMatchObject({ id: keyId, revokedAt: at(2).toISOString() });
    expect(revoked).not.toHaveProperty('keyHash');
    expect(principal).toEqual({ kind: 'anonymous' });
    expect(again.result).toEqual(revoked);
    expect(again.requests).toEqual(['GetItemCommand']);
    expect(await getItem(keys.apiKey(hashApiKey(apiKey)))).toMatchObject({
      revokedAt: at(2).toISOString(),
    });
    const listed = await listApiKeys(partnerId, 10, null);
    expect(listed.items.map((key) => [key.id, key.revokedAt])).toEqual([
      [keyId, at(2).toISOString()],
      [other.key.id, null],
    ]);
    expect(await principalForApiKey(other.apiKey, at(3))).toMatchObject({ kind: 'partner' });
    // A revoked key's last use is never written again.
    expect(await touchApiKey(hashApiKey(apiKey), partnerId, keyId, at(600))).toBe(false);
  });

  it('finds nothing to revoke for an unknown key or another partner’s key', async () => {
    // Prepare
    const mine = await partnerWithKey();
    const other = await partnerWithKey();

    // Act / Assess
    expect(await revokeApiKey(mine.partnerId, ulid(), T0)).toBeNull();
    expect(await revokeApiKey(other.partnerId, mine.keyId, T0)).toBeNull();
    expect(await principalForApiKey(mine.apiKey, at(1))).toMatchObject({ kind: 'partner' });
  });
});

describe('keys stored before keys had ids', () => {
  async function legacyKey(revokedAt?: string) {
    const partnerId = ulid();
    const apiKey = generateApiKey('pk');
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: partnerToItem({
          id: partnerId,
          name: 'Old IT',
          fineIncrements: false,
          createdAt: T0.toISOString(),
        }),
      }),
    );
    // As putPartnerWithKey wrote them: the partner's name and entitlements copied onto the key.
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.apiKey(hashApiKey(apiKey)),
          entity: 'APIKEY',
          role: 'partner',
          partnerId,
          partnerName: 'Old IT',
          fineIncrements: false,
          createdAt: T0.toISOString(),
          ...(revokedAt ? { revokedAt } : {}),
        },
      }),
    );
    return { partnerId, apiKey };
  }

  it('still work, as full keys, with the partner’s entitlements as they are now', async () => {
    // Prepare
    const { partnerId, apiKey } = await legacyKey();
    await setFineIncrements(partnerId, true);

    // Act
    const { result, requests } = await countRequests(() => principalForApiKey(apiKey, at(1)));

    // Assess
    expect(result).toEqual({
      kind: 'partner',
      partnerId,
      partnerName: 'Old IT',
      fineIncrements: true,
      via: { type: 'key', id: '', scope: 'full' },
    });
    // No listing item to record a last use on.
    expect(requests).toEqual(['GetItemCommand', 'GetItemCommand']);
  });

  it('stay shut once revoked', async () => {
    const { apiKey } = await legacyKey(T0.toISOString());
    expect(await principalForApiKey(apiKey, at(1))).toEqual({ kind: 'anonymous' });
  });

  it('leave storage keys as they were', async () => {
    const { createStorageKey } = await import('#lib/auth/api-keys.ts');
    const { apiKey } = await createStorageKey(T0);
    expect(await principalForApiKey(apiKey, at(1))).toEqual({ kind: 'storage' });
  });
});
