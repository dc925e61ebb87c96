/**
 * Managing a partner's staff (SPEC §7): invite, list, change, remove. The rules of who may
 * change whom are lib/rules/staff.ts's; the store's conditions keep the last owner even against
 * a concurrent change.
 */
import { ulid } from 'ulid';
import type { PartnerPrincipal } from '#lib/auth/principal.ts';
import { forbidden, lastOwner, notFound } from '#lib/errors.ts';
import {
  normaliseEmail,
  type StaffChangeRefusal,
  type StaffRole,
  staffChangeRefusal,
} from '#lib/rules/staff.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import {
  activeOwnerCount,
  changeStaffSteps,
  findStaff,
  listStaff as listStaffPage,
  newStaffSteps,
  removeStaffSteps,
  type Staff,
} from '#lib/store/staff.ts';
import { type Page, transact } from '#lib/store/table.ts';
import { audit } from './audit.ts';
import { staffInvitationMessage } from './messages.ts';
import { partnerScope, type TenantScope } from './scope.ts';

/** Who acts: a staff member's role, or an API key (which never manages staff). */
export type StaffActor = StaffRole | 'key';

export const staffActorOf = (principal: PartnerPrincipal): StaffActor =>
  principal.via.type === 'staff' ? principal.via.role : 'key';

/** The tenant and actor of a staff route's caller. */
export const staffScope = (principal: PartnerPrincipal) => ({
  scope: partnerScope(principal),
  actor: staffActorOf(principal),
});

export type StaffView = Omit<Staff, 'partnerId'>;

const toView = ({ partnerId: _p, ...view }: Staff): StaffView => view;

function refuse(refusal: StaffChangeRefusal | null): void {
  if (!refusal) return;
  throw refusal.kind === 'lastOwner' ? lastOwner() : forbidden(refusal.detail);
}

/** A member as invited: active, with no password until the invitation e-mail issues one. */
export function newMember(
  partnerId: string,
  body: { email: string; fullName: string; role: StaffRole },
  now: Date,
): Staff {
  const at = now.toISOString();
  return {
    id: ulid(now.getTime()),
    partnerId,
    email: normaliseEmail(body.email),
    fullName: body.fullName.trim(),
    role: body.role,
    status: 'active',
    mfaEnabled: false,
    createdAt: at,
    updatedAt: at,
  };
}

/** Invites a member; the invitation e-mail goes out through the outbox with the change. */
export async function inviteStaff(
  scope: TenantScope,
  actor: StaffActor,
  body: { email: string; fullName: string; role: StaffRole },
  now = new Date(),
): Promise<StaffView> {
  refuse(staffChangeRefusal(actor, null, body.role, 0));
  const staff = newMember(scope.partnerId, body, now);
  const reply = toView(staff);
  await transact(
    [
      ...newStaffSteps(staff),
      outboxStep(staffInvitationMessage(scope.partnerName, staff)),
      audit(scope, now, {
        action: 'staff.create',
        targetType: 'staff',
        targetId: staff.id,
        companyId: null,
        details: { role: staff.role },
      }),
    ],
    { reply },
  );
  return reply;
}

export async function listStaff(
  scope: TenantScope,
  limit: number,
  cursor: string | undefined,
): Promise<Page<StaffView>> {
  const page = await listStaffPage(scope.partnerId, limit, cursor);
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}

async function activeMember(scope: TenantScope, staffId: string): Promise<Staff> {
  const staff = await findStaff(scope.partnerId, staffId);
  if (staff?.status !== 'active') throw notFound('Staff member');
  return staff;
}

/**
 * The partner's owner count, read only when an owner is losing the role: no other change can
 * leave the partner without one, so none other pays for the read.
 */
const ownersIfDemoting = async (before: Staff, next: StaffRole | null): Promise<number> =>
  before.role === 'owner' && next !== 'owner' ? activeOwnerCount(before.partnerId) : 0;

export async function updateStaff(
  scope: TenantScope,
  actor: StaffActor,
  staffId: string,
  body: { role?: StaffRole | undefined; fullName?: string | undefined },
  now = new Date(),
): Promise<StaffView> {
  const before = await activeMember(scope, staffId);
  const role = body.role ?? before.role;
  const fullName = body.fullName?.trim() ?? before.fullName;
  // An admin may not even rename an owner: the owner's record is the owners' to keep.
  refuse(staffChangeRefusal(actor, before.role, role, await ownersIfDemoting(before, role)));
  const at = now.toISOString();
  await transact([
    ...changeStaffSteps(before, { role, fullName }, at),
    audit(scope, now, {
      action: 'staff.update',
      targetType: 'staff',
      targetId: staffId,
      companyId: null,
      details: {
        ...(role !== before.role ? { role } : {}),
        fullNameChanged: fullName !== before.fullName,
      },
    }),
  ]);
  return toView({ ...before, role, fullName, updatedAt: at });
}

export async function removeStaff(
  scope: TenantScope,
  actor: StaffActor,
  staffId: string,
  now = new Date(),
): Promise<StaffView> {
  const before = await activeMember(scope, staffId);
  refuse(staffChangeRefusal(actor, before.role, null, await ownersIfDemoting(before, null)));
  const at = now.toISOString();
  await transact([
    ...removeStaffSteps(before, at),
    audit(scope, now, {
      action: 'staff.remove',
      targetType: 'staff',
      targetId: staffId,
      companyId: null,
    }),
  ]);
  return toView({ ...before, status: 'removed', updatedAt: at });
}
