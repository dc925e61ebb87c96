/**
 * The partner's own API-key routes, called as API Gateway calls the functions: with the context
 * the authorizer gives a staff owner (staff sign-in is built elsewhere; its context is not).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler as createHandler } from '#functions/create-api-key.ts';
import { handler as listHandler } from '#functions/list-api-keys.ts';
import { handler as listCompaniesHandler } from '#functions/list-companies.ts';
import { handler as revokeHandler } from '#functions/revoke-api-key.ts';
import { createApiKey, principalForApiKey } from '#lib/auth/api-keys.ts';
import { type AuthorizerContext, toAuthorizerContext } from '#lib/auth/principal.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { listAudit } from '#lib/store/audit.ts';
import { createCompanyRequest, newPartner, staffAuthorizerContext } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { scanForValue } from './scan.ts';

type Reply = { status: number; body: any; headers: Record<string, string> };
type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

async function invoke(
  handler: Handler,
  lambda: AuthorizerContext,
  request: { body?: unknown; query?: Record<string, string>; keyId?: string } = {},
): Promise<Reply> {
  const event = createCompanyRequest(ulid(), request.body === undefined ? '' : request.body);
  if (request.body === undefined) event.body = undefined;
  event.queryStringParameters = request.query;
  event.pathParameters = request.keyId ? { keyId: request.keyId } : undefined;
  (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
  const reply = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: reply.statusCode as number,
    body: reply.body ? JSON.parse(reply.body) : undefined,
    headers: (reply.headers ?? {}) as Record<string, string>,
  };
}

describe('API keys managed by the partner’s staff', () => {
  it('creates a key shown once, lists it without the key, and revokes it at once', async () => {
    // Prepare
    const { partnerId } = await newPartner('Keys Staff IT');
    const staffId = ulid();
    const owner = staffAuthorizerContext(partnerId, 'owner', staffId);

    // Act
    const created = await invoke(createHandler, owner, {
      body: { name: '  Billing sync  ', scope: 'read' },
    });
    const key = created.body.key as string;
    const working = await principalForApiKey(key);
    const listed = await invoke(listHandler, owner, { query: { limit: '100' } });
    const stored = await scanForValue(key);
    const revoked = await invoke(revokeHandler, owner, { keyId: created.body.id });
    const afterRevoke = await principalForApiKey(key);
    // The authorizer's answer for the key, as the next request's route gets it.
    const nextRequest = await invoke(listCompaniesHandler, toAuthorizerContext(afterRevoke));
    const again = await invoke(revokeHandler, staffAuthorizerContext(partnerId, 'admin'), {
      keyId: created.body.id,
    });
    const audit = await listAudit(partnerId, 10, undefined);

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.location).toBe(`/v1/api-keys/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: 'Billing sync',
      scope: 'read',
      createdBy: `staff:${staffId}`,
      lastUsedAt: null,
      revokedAt: null,
      prefix: key.slice(0, created.body.prefix.length),
    });
    expect(working).toMatchObject({
      kind: 'partner',
      partnerId,
      via: { type: 'key', scope: 'read' },
    });
    const item = (listed.body.items as any[]).find((k) => k.id === created.body.id);
    const { key: _shown, ...withoutKey } = created.body;
    // The key was used once since (principalForApiKey above): its listing says so.
    expect(item).toEqual({ ...withoutKey, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.nextCursor).toBeNull();
    // Stored as a hash only.
    expect(stored).toEqual([]);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(revoked.body).not.toHaveProperty('key');
    expect(afterRevoke).toEqual({ kind: 'anonymous' });
    expect(nextRequest.status).toBe(401);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const actions = audit.items.map((entry) => [entry.action, entry.targetId, entry.actor]);
    expect(actions).toContainEqual(['apiKey.create', created.body.id, `staff:${staffId}`]);
    expect(actions).toContainEqual(['apiKey.revoke', created.body.id, `staff:${staffId}`]);
    expect(JSON.stringify(audit.items)).not.toContain(key);
  });

  it("answers another partner's key id 404 and leaves that key working", async () => {
    // Prepare
    const ours = await newPartner('Keys Ours IT');
    const theirs = await newPartner('Keys Theirs IT');
    const { apiKey, key } = await createApiKey(theirs.partnerId, {
      name: 'Theirs',
      scope: 'full',
      createdBy: 'operator',
    });

    // Act
    const reply = await invoke(revokeHandler, staffAuthorizerContext(ours.partnerId, 'owner'), {
      keyId: key.id,
    });
    const listed = await invoke(listHandler, staffAuthorizerContext(ours.partnerId, 'owner'));

    // Assess
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('NOT_FOUND');
    expect(await principalForApiKey(apiKey)).toMatchObject({ partnerId: theirs.partnerId });
    expect((listed.body.items as any[]).map((k) => k.id)).not.toContain(key.id);
  });

  it('refuses a name too long or empty and an unknown scope, naming the field', async () => {
    // Prepare
    const { partnerId } = await newPartner('Keys Bad IT');
    const owner = staffAuthorizerContext(partnerId, 'owner');

    // Act
    const long = await invoke(createHandler, owner, {
      body: { name: 'x'.repeat(101), scope: 'full' },
    });
    const empty = await invoke(createHandler, owner, { body: { name: '   ', scope: 'full' } });
    const scope = await invoke(createHandler, owner, { body: { name: 'Key', scope: 'admin' } });
    const listed = await invoke(listHandler, owner);

    // Assess
    for (const [reply, field] of [
      [long, 'name'],
      [empty, 'name'],
      [scope, 'scope'],
    ] as const) {
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
      expect(reply.body.errors.map((e: { path: string }) => e.path)).toEqual([field]);
    }
    // Only the operator's key of the new partner.
    expect(listed.body.items).toHaveLength(1);
  });

  it('is closed to API keys of either scope, and to operators and billing staff', async () => {
    // Prepare
    const partner = await newPartner('Keys Closed IT');
    const full = toAuthorizerContext(partner.principal);
    const { key } = await createApiKey(partner.partnerId, {
      name: 'Read',
      scope: 'read',
      createdBy: 'operator',
    });
    const read = toAuthorizerContext({
      ...partner.principal,
      via: { type: 'key', id: key.id, scope: 'read' },
    });
    const callers = [
      full,
      read,
      staffAuthorizerContext(partner.partnerId, 'operator'),
      staffAuthorizerContext(partner.partnerId, 'billing'),
    ];

    // Act
    const replies = [];
    for (const caller of callers) {
      replies.push(
        await invoke(createHandler, caller, { body: { name: 'Successor', scope: 'full' } }),
        await invoke(listHandler, caller),
        await invoke(revokeHandler, caller, { keyId: key.id }),
      );
    }
    const listed = await invoke(listHandler, staffAuthorizerContext(partner.partnerId, 'admin'));

    // Assess
    expect(replies.map((r) => [r.status, r.body.code])).toEqual(
      replies.map(() => [403, 'FORBIDDEN']),
    );
    // Nothing made, nothing revoked.
    expect((listed.body.items as any[]).map((k) => [k.name, k.revokedAt])).toEqual([
      ['Created by the operator', null],
      ['Read', null],
    ]);
  });
});
