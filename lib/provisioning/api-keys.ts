import { createApiKey } from '#lib/auth/api-keys.ts';
import { notFound } from '#lib/errors.ts';
import { type ApiKey, type ApiKeyScope, listApiKeys, revokeApiKey } from '#lib/store/api-keys.ts';
import type { Page } from '#lib/store/table.ts';
import { audit } from './audit.ts';
import type { TenantScope } from './scope.ts';

/** A key as its partner sees it: never the key itself, nor the partner it belongs to. */
export type ApiKeyView = Omit<ApiKey, 'partnerId'>;

const view = ({ partnerId: _partnerId, ...key }: ApiKey): ApiKeyView => key;

/**
 * A new key of the caller's partner, audited in the same write. The key is in this reply only:
 * it is stored as a hash.
 */
export async function createPartnerApiKey(
  scope: TenantScope,
  body: { name: string; scope: ApiKeyScope },
  now = new Date(),
): Promise<ApiKeyView & { key: string }> {
  const { apiKey, key } = await createApiKey(
    scope.partnerId,
    { name: body.name, scope: body.scope, createdBy: scope.actor },
    now,
    (made) => [
      audit(scope, now, {
        action: 'apiKey.create',
        targetType: 'apiKey',
        targetId: made.id,
        companyId: null,
        details: { name: made.name, scope: made.scope, prefix: made.prefix },
      }),
    ],
  );
  return { ...view(key), key: apiKey };
}

export async function listPartnerApiKeys(
  scope: TenantScope,
  limit: number,
  cursor: string | undefined,
): Promise<Page<ApiKeyView>> {
  const page = await listApiKeys(scope.partnerId, limit, cursor);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

/**
 * Revokes one of the partner's keys; it opens nothing from then on. A repeat answers the key as
 * it is and writes nothing; another partner's key id is not found.
 */
export async function revokePartnerApiKey(
  scope: TenantScope,
  keyId: string,
  now = new Date(),
): Promise<ApiKeyView> {
  const revoked = await revokeApiKey(scope.partnerId, keyId, now, [
    audit(scope, now, {
      action: 'apiKey.revoke',
      targetType: 'apiKey',
      targetId: keyId,
      companyId: null,
    }),
  ]);
  if (!revoked) throw notFound('API key');
  return view(revoked);
}
