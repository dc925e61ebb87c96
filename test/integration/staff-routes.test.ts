import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler as createStaff } from '#functions/create-staff.ts';
import { handler as listStaff } from '#functions/list-staff.ts';
import { handler as removeStaff } from '#functions/remove-staff.ts';
import { handler as updateStaff } from '#functions/update-staff.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import { listAudit } from '#lib/store/audit.ts';
import { createCompanyRequest, staffAuthorizerContext } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

type Reply = APIGatewayProxyStructuredResultV2;
type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

async function call(
  handler: Handler,
  lambda: Record<string, unknown>,
  method: string,
  path: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
) {
  const event = createCompanyRequest('', body === undefined ? '' : body);
  if (body === undefined) event.body = undefined;
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.pathParameters = pathParameters ?? {};
  (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
  const reply = (await handler(event, lambdaContext())) as Reply;
  return {
    status: reply.statusCode,
    headers: reply.headers ?? {},
    body: JSON.parse(String(reply.body)),
  };
}

describe('the staff routes', () => {
  it('let an owner invite, list, change and remove staff, audited as the owner', async () => {
    const { partnerId } = await createPartner('Staff Routes IT', false);
    const ownerId = ulid();
    const owner = staffAuthorizerContext(partnerId, 'owner', ownerId);
    const email = `Op.${ulid().toLowerCase()}@Example.com`;

    const created = await call(createStaff, owner, 'POST', '/v1/staff', {
      email,
      fullName: 'Olu Op',
      role: 'operator',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: email.toLowerCase(),
      role: 'operator',
      status: 'active',
    });
    expect(created.headers.location).toBe(`/v1/staff/${created.body.id}`);
    const staffId = created.body.id as string;

    const listed = await call(listStaff, owner, 'GET', '/v1/staff');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [created.body], nextCursor: null });

    const changed = await call(
      updateStaff,
      owner,
      'PATCH',
      `/v1/staff/${staffId}`,
      { role: 'billing' },
      { staffId },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('billing');

    const removed = await call(removeStaff, owner, 'DELETE', `/v1/staff/${staffId}`, undefined, {
      staffId,
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: staffId, status: 'removed' });

    const actions = (await listAudit(partnerId, 10, undefined)).items;
    expect(actions.map((entry) => entry.action).sort()).toEqual([
      'staff.create',
      'staff.remove',
      'staff.update',
    ]);
    expect(new Set(actions.map((entry) => entry.actor))).toEqual(new Set([`staff:${ownerId}`]));
  });

  it('refuse an admin touching an owner, other roles and keys, and a bad body naming the field', async () => {
    const { partnerId } = await createPartner('Staff Routes IT', false);
    const owner = staffAuthorizerContext(partnerId, 'owner', ulid());
    const admin = staffAuthorizerContext(partnerId, 'admin', ulid());
    const first = await call(createStaff, owner, 'POST', '/v1/staff', {
      email: `o.${ulid().toLowerCase()}@example.com`,
      fullName: 'Only Owner',
      role: 'owner',
    });
    const ownerStaffId = first.body.id as string;

    const adminInvitesOwner = await call(createStaff, admin, 'POST', '/v1/staff', {
      email: `x.${ulid().toLowerCase()}@example.com`,
      fullName: 'X',
      role: 'owner',
    });
    const adminRemovesOwner = await call(
      removeStaff,
      admin,
      'DELETE',
      `/v1/staff/${ownerStaffId}`,
      undefined,
      { staffId: ownerStaffId },
    );
    const lastOwner = await call(
      removeStaff,
      owner,
      'DELETE',
      `/v1/staff/${ownerStaffId}`,
      undefined,
      { staffId: ownerStaffId },
    );
    const operatorLists = await call(
      listStaff,
      staffAuthorizerContext(partnerId, 'operator', ulid()),
      'GET',
      '/v1/staff',
    );
    const keyLists = await call(
      listStaff,
      {
        kind: 'partner',
        partnerId,
        partnerName: 'Staff Routes IT',
        fineIncrements: false,
        via: 'key',
        keyId: ulid(),
        keyScope: 'full',
      },
      'GET',
      '/v1/staff',
    );
    const badRole = await call(createStaff, owner, 'POST', '/v1/staff', {
      email: `y.${ulid().toLowerCase()}@example.com`,
      fullName: 'Y',
      role: 'superuser',
    });
    const taken = await call(createStaff, owner, 'POST', '/v1/staff', {
      email: first.body.email,
      fullName: 'Again',
      role: 'billing',
    });

    expect(adminInvitesOwner.status).toBe(403);
    expect(adminInvitesOwner.body.detail).toMatch(/admin cannot .* owner/);
    expect(adminRemovesOwner.status).toBe(403);
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.code).toBe('LAST_OWNER');
    expect(operatorLists.status).toBe(403);
    expect(keyLists.status).toBe(403);
    expect(badRole.status).toBe(400);
    expect(badRole.body.errors.map((error: { path: string }) => error.path)).toEqual(['role']);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('STAFF_EMAIL_TAKEN');
  });
});
