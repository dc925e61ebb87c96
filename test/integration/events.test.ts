import { describe, expect, it } from 'vitest';
import { eventResponse } from '#lib/api/responses.ts';
import { cancelAccount, createAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import { cancelCompany, createCompany, updateCompany } from '#lib/provisioning/companies.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import { resetPassword } from '#lib/provisioning/identity.ts';
import type { TenantScope } from '#lib/provisioning/scope.ts';
import { FEED_SETTLE_MS } from '#lib/rules/events.ts';
import type { EventQuery } from '#lib/schemas.ts';
import type { DomainEvent } from '#lib/store/events.ts';
import {
  companyBody,
  inCompany,
  newScope,
  strongPassword,
  uniqueUsername,
} from '../support/builders.ts';
import { scanForValue } from './scan.ts';
import { countRequests } from './support.ts';

/** Late enough that every event made so far has settled. */
const settled = () => new Date(Date.now() + FEED_SETTLE_MS + 1000);

const query = (overrides: Partial<EventQuery> = {}): EventQuery => ({ limit: 100, ...overrides });

async function feed(scope: TenantScope, overrides: Partial<EventQuery> = {}) {
  return (await listEvents(scope, query(overrides), settled())).items;
}

const typesOf = (events: DomainEvent[]) => events.map((event) => event.type);

describe('events', () => {
  it('are written by the change’s own transaction: a company and its admin account', async () => {
    const scope = newScope();
    const password = strongPassword();

    const { result, requests } = await countRequests(() =>
      createCompany(scope, companyBody({ admin: { password } })),
    );

    // One write request, as before events: they ride in the change's transaction.
    const writes = requests.filter((name) => /Put|Update|Delete|Write/.test(name));
    expect(writes).toEqual(['TransactWriteItemsCommand']);
    const events = await feed(scope);
    expect(typesOf(events)).toEqual(['company.created', 'account.created']);
    const [company, account] = events;
    expect(company).toMatchObject({
      partnerId: scope.partnerId,
      companyId: result.company.id,
      accountId: null,
      actor: scope.actor,
      data: { company: result.company },
    });
    expect(account).toMatchObject({
      companyId: result.company.id,
      accountId: result.account.id,
      data: { account: result.account },
    });
    for (const event of events) expect(eventResponse.safeParse(event).success).toBe(true);
    // The admin's password is in no event: they carry views, never a secret.
    expect(await scanForValue(password)).toEqual([]);
  });

  it('follow every kind of change, with the object as the change left it', async () => {
    const scope = newScope();
    const { company, account: admin } = await createCompany(
      scope,
      companyBody({ quotaMb: 25600, admin: { hardQuotaMb: 5120 } }),
    );
    const inside = inCompany(scope, company.id);
    const { account: trial } = await createAccount(inside, {
      username: uniqueUsername('trial'),
      plan: 'trial',
    });

    await updateCompany(inside, { name: 'HighTech Renamed' });
    await updateAccount(inside, admin.id, { hardQuotaMb: 10240 });
    await updateAccount(inside, trial.id, { trialDays: 45 });
    const converted = await updateAccount(inside, trial.id, { plan: 'basic' });
    await resetPassword(inside, admin.id);
    await cancelAccount(inside, trial.id);
    await cancelCompany(inside);

    const events = await feed(scope);
    expect(typesOf(events)).toEqual([
      'company.created',
      'account.created',
      'account.created',
      'company.updated',
      'account.updated',
      'trial.extended',
      'trial.converted',
      'password.reset_sent',
      'account.cancelled',
      'company.cancelled',
    ]);
    for (const event of events) {
      expect(eventResponse.safeParse(event).success, event.type).toBe(true);
    }
    const byType = new Map(events.map((event) => [event.type, event]));
    expect(byType.get('company.updated')?.data).toMatchObject({
      company: { name: 'HighTech Renamed' },
    });
    expect(byType.get('account.updated')?.data).toMatchObject({
      account: { id: admin.id, hardQuotaMb: 10240 },
    });
    expect(byType.get('trial.converted')?.data).toEqual({ account: converted });
    expect(byType.get('company.cancelled')?.data).toMatchObject({
      company: { status: 'cancelled' },
    });
  });

  it('are listed oldest first, after an id, by type and page by page', async () => {
    const scope = newScope();
    for (let i = 0; i < 3; i++) await createCompany(scope, companyBody());
    const all = await feed(scope);
    expect(all).toHaveLength(6);
    const ids = all.map((event) => event.id);
    expect([...ids].sort()).toEqual(ids);

    expect((await feed(scope, { after: ids[1] })).map((event) => event.id)).toEqual(ids.slice(2));
    expect(await feed(scope, { after: ids[5] })).toEqual([]);
    const companies = await feed(scope, { type: ['company.created'] });
    expect(companies.map((event) => event.id)).toEqual([ids[0], ids[2], ids[4]]);
    expect(await feed(scope, { type: ['trial.expired'] })).toEqual([]);

    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { items, nextCursor } = await listEvents(scope, query({ limit: 4, after }), settled());
      seen.push(...items.map((event) => event.id));
      if (!nextCursor) break;
      after = nextCursor;
    }
    expect(seen).toEqual(ids);
    // Another partner's feed holds none of them.
    expect(await feed(newScope())).toEqual([]);
  });

  it('fill a filtered page, reading on past the events of other types', async () => {
    const scope = newScope();
    for (let i = 0; i < 5; i++) await createCompany(scope, companyBody());
    const created = (await feed(scope, { type: ['company.created'] })).map((event) => event.id);
    expect(created).toHaveLength(5);

    const first = await listEvents(
      scope,
      query({ limit: 3, type: ['company.created'] }),
      settled(),
    );
    const rest = await listEvents(
      scope,
      query({ limit: 3, type: ['company.created'], after: first.nextCursor ?? undefined }),
      settled(),
    );

    expect(first.items.map((event) => event.id)).toEqual(created.slice(0, 3));
    expect(first.nextCursor).not.toBeNull();
    expect(rest.items.map((event) => event.id)).toEqual(created.slice(3));
  });

  it('wait to be listed until every change made before them has committed', async () => {
    const scope = newScope();
    await createCompany(scope, companyBody());

    const now = await listEvents(scope, query(), new Date());
    const later = await listEvents(scope, query(), settled());

    expect(now.items).toEqual([]);
    expect(later.items).toHaveLength(2);
  });
});
