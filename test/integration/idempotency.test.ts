import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler as createCompanyHandler } from '#functions/create-company.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { listCompanies } from '#lib/store/companies.ts';
import { companyBody, createCompanyRequest } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

const request = (partnerId: string, body: unknown, idempotencyKey?: string) =>
  createCompanyRequest(partnerId, body, { idempotencyKey });

async function send(event: HttpEvent) {
  const reply = (await createCompanyHandler(
    event,
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: reply.statusCode, body: JSON.parse(reply.body as string) };
}

describe('Idempotency-Key', () => {
  it('answers a repeated request with the first response and no second effect', async () => {
    const partnerId = ulid();
    const payload = companyBody();
    const key = ulid();

    const first = await send(request(partnerId, payload, key));
    const second = await send(request(partnerId, payload, key));

    expect(first.status).toBe(201);
    expect(second).toEqual(first);
    expect((await listCompanies(partnerId, 10, undefined)).items).toHaveLength(1);
  });

  it('refuses the same key with another body, and keeps answering the first with its reply', async () => {
    const partnerId = ulid();
    const key = ulid();
    const payload = companyBody();
    const first = await send(request(partnerId, payload, key));

    const reused = await send(request(partnerId, companyBody(), key));
    const repeat = await send(request(partnerId, payload, key));

    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The refusal left the first request's record alone: its repeat is still answered from it.
    expect(repeat).toEqual(first);
    expect((await listCompanies(partnerId, 10, undefined)).items).toHaveLength(1);
  });

  it('keeps keys apart between partners, and does nothing without a key', async () => {
    const key = ulid();
    const a = ulid();
    const b = ulid();

    const fromA = await send(request(a, companyBody(), key));
    const fromB = await send(request(b, companyBody(), key));
    const plain1 = await send(request(a, companyBody()));
    const plain2 = await send(request(a, companyBody()));

    expect([fromA.status, fromB.status, plain1.status, plain2.status]).toEqual([
      201, 201, 201, 201,
    ]);
    expect(fromB.body.company.id).not.toBe(fromA.body.company.id);
    expect((await listCompanies(a, 10, undefined)).items).toHaveLength(3);
  });

  it('lets a failed request be retried with the same key', async () => {
    const partnerId = ulid();
    const key = ulid();
    const payload = companyBody();

    const refused = await send(request(partnerId, { ...payload, quotaMb: 7000 }, key));
    const again = await send(request(partnerId, { ...payload, quotaMb: 7000 }, key));

    expect(refused.status).toBe(422);
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('QUOTA_NOT_ON_LADDER');
  });
});
