/**
 * Who may change whom among a partner's staff (SPEC §7), as pure decisions the use cases apply.
 * The last-owner rule is also enforced by the store's owner counter, since two concurrent
 * demotions must not both pass; the rule here gives the answer before any write.
 */
export const STAFF_ROLES = ['owner', 'admin', 'operator', 'billing'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** E-mails compare without case: one person, one staff e-mail. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export type StaffChangeRefusal = { kind: 'forbidden'; detail: string } | { kind: 'lastOwner' };

/**
 * Whether `actor` may give the staff member now holding `current` (null: a new one) the role
 * `next` (null: removal). Only owners and admins manage staff; an admin never touches an owner
 * or makes one, so the owners stay in charge of who owns the partner.
 */
export function staffChangeRefusal(
  actor: StaffRole | 'key',
  current: StaffRole | null,
  next: StaffRole | null,
  activeOwners: number,
): StaffChangeRefusal | null {
  if (actor !== 'owner' && actor !== 'admin') {
    return { kind: 'forbidden', detail: 'Only owners and admins manage staff.' };
  }
  if (actor === 'admin' && (current === 'owner' || next === 'owner')) {
    return {
      kind: 'forbidden',
      detail: 'An admin cannot add, change or remove an owner; ask an owner.',
    };
  }
  if (current === 'owner' && next !== 'owner' && activeOwners <= 1) return { kind: 'lastOwner' };
  return null;
}

/** How a change moves the partner's count of active owners: -1, 0 or +1. */
export function ownerCountChange(current: StaffRole | null, next: StaffRole | null): -1 | 0 | 1 {
  const before = current === 'owner' ? 1 : 0;
  const after = next === 'owner' ? 1 : 0;
  return (after - before) as -1 | 0 | 1;
}
