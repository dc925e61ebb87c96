import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { createPartner } from '#lib/provisioning/partners.ts';
import type { TenantScope } from '#lib/provisioning/scope.ts';
import {
  inviteStaff,
  listStaff,
  removeStaff,
  type StaffView,
  updateStaff,
} from '#lib/provisioning/staff.ts';
import { listAudit } from '#lib/store/audit.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';

const T0 = new Date('2026-12-01T09:00:00.000Z');

async function partner(): Promise<TenantScope> {
  const created = await createPartner('Staff IT', false, T0);
  return {
    partnerId: created.partnerId,
    partnerName: 'Staff IT',
    fineIncrements: false,
    companyId: null,
    actor: 'partner:test',
    actingAs: null,
  };
}

const email = (name: string) => `${name}.${ulid().toLowerCase()}@Example.com`;
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string; detail?: string }) => error.code,
  );
const rawItem = (scope: TenantScope, staff: StaffView) =>
  getItem(keys.staff(scope.partnerId, staff.id));

describe('a partner’s staff', () => {
  it('is invited with a lower-cased e-mail unique among all partners, and listed', async () => {
    const scope = await partner();
    const address = email('Ana');

    const owner = await inviteStaff(scope, 'owner', {
      email: address,
      fullName: ' Ana Lee ',
      role: 'owner',
    });

    expect(owner).toMatchObject({
      email: address.toLowerCase(),
      fullName: 'Ana Lee',
      role: 'owner',
      status: 'active',
      mfaEnabled: false,
    });
    expect(Object.keys(owner).sort()).toEqual(
      ['createdAt', 'email', 'fullName', 'id', 'mfaEnabled', 'role', 'status', 'updatedAt'].sort(),
    );
    const other = await partner();
    expect(
      await codeOf(
        inviteStaff(other, 'owner', { email: address.toUpperCase(), fullName: 'X', role: 'admin' }),
      ),
    ).toBe('STAFF_EMAIL_TAKEN');
    const page = await listStaff(scope, 10, undefined);
    expect(page.items).toEqual([owner]);
    expect(await listStaff(other, 10, undefined)).toEqual({ items: [], nextCursor: null });
    // No password exists before the invitation is sent.
    expect((await rawItem(scope, owner))?.passwordHash).toBeNull();
    const audit = await listAudit(scope.partnerId, 10, undefined);
    expect(audit.items[0]).toMatchObject({
      action: 'staff.create',
      targetType: 'staff',
      targetId: owner.id,
    });
  });

  it('keeps its last owner, and an admin away from owners', async () => {
    const scope = await partner();
    const owner = await inviteStaff(scope, 'owner', {
      email: email('o'),
      fullName: 'O',
      role: 'owner',
    });
    const admin = await inviteStaff(scope, 'owner', {
      email: email('a'),
      fullName: 'A',
      role: 'admin',
    });

    expect(await codeOf(removeStaff(scope, 'owner', owner.id))).toBe('LAST_OWNER');
    expect(await codeOf(updateStaff(scope, 'owner', owner.id, { role: 'admin' }))).toBe(
      'LAST_OWNER',
    );
    expect(await codeOf(updateStaff(scope, 'admin', owner.id, { fullName: 'New' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(updateStaff(scope, 'admin', admin.id, { role: 'owner' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        inviteStaff(scope, 'admin', { email: email('b'), fullName: 'B', role: 'owner' }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(removeStaff(scope, 'key', admin.id))).toBe('FORBIDDEN');
    // An admin manages the other roles.
    const operator = await updateStaff(scope, 'admin', admin.id, { role: 'operator' });
    expect(operator.role).toBe('operator');
    expect((await listStaff(scope, 10, undefined)).items.map((s) => s.role).sort()).toEqual([
      'operator',
      'owner',
    ]);
  });

  it('lets only one of two concurrent demotions of the last two owners pass', async () => {
    const scope = await partner();
    const first = await inviteStaff(scope, 'owner', {
      email: email('f'),
      fullName: 'F',
      role: 'owner',
    });
    const second = await inviteStaff(scope, 'owner', {
      email: email('s'),
      fullName: 'S',
      role: 'owner',
    });

    const outcomes = await Promise.all([
      codeOf(updateStaff(scope, 'owner', first.id, { role: 'admin' })),
      codeOf(removeStaff(scope, 'owner', second.id)),
    ]);

    expect(outcomes.filter((outcome) => outcome === 'resolved')).toHaveLength(1);
    const owners = (await listStaff(scope, 10, undefined)).items.filter(
      (s) => s.role === 'owner' && s.status === 'active',
    );
    expect(owners).toHaveLength(1);
    expect((await getItem(keys.partner(scope.partnerId)))?.activeOwners).toBe(1);
  });

  it('ends sessions on a role change or removal, and frees the e-mail of a removed member', async () => {
    const scope = await partner();
    await inviteStaff(scope, 'owner', { email: email('o'), fullName: 'O', role: 'owner' });
    const address = email('m');
    const member = await inviteStaff(scope, 'owner', {
      email: address,
      fullName: 'M',
      role: 'billing',
    });
    const version = async () => (await rawItem(scope, member))?.sessionVersion;
    expect(await version()).toBe(1);

    await updateStaff(scope, 'owner', member.id, { fullName: 'Renamed' });
    expect(await version()).toBe(1);
    await updateStaff(scope, 'owner', member.id, { role: 'operator' });
    expect(await version()).toBe(2);
    const removed = await removeStaff(scope, 'owner', member.id);

    expect(removed).toMatchObject({ status: 'removed', role: 'operator', fullName: 'Renamed' });
    expect(await version()).toBe(3);
    expect(await codeOf(removeStaff(scope, 'owner', member.id))).toBe('NOT_FOUND');
    const again = await inviteStaff(scope, 'owner', {
      email: address,
      fullName: 'M',
      role: 'billing',
    });
    expect(again.id).not.toBe(member.id);
    const actions = (await listAudit(scope.partnerId, 20, undefined)).items.map((e) => e.action);
    expect(actions.filter((a) => a === 'staff.update')).toHaveLength(2);
    expect(actions).toContain('staff.remove');
  });
});
