import { describe, expect, it } from 'vitest';
import { normaliseEmail, ownerCountChange, staffChangeRefusal } from '#lib/rules/staff.ts';

describe('staff changes', () => {
  it('lets an owner add, change and remove any role while another owner remains', () => {
    expect(staffChangeRefusal('owner', null, 'owner', 1)).toBeNull();
    expect(staffChangeRefusal('owner', 'owner', 'admin', 2)).toBeNull();
    expect(staffChangeRefusal('owner', 'owner', null, 2)).toBeNull();
    expect(staffChangeRefusal('owner', 'billing', 'operator', 1)).toBeNull();
  });

  it('refuses removing or demoting the last owner', () => {
    expect(staffChangeRefusal('owner', 'owner', null, 1)).toEqual({ kind: 'lastOwner' });
    expect(staffChangeRefusal('owner', 'owner', 'admin', 1)).toEqual({ kind: 'lastOwner' });
    // Renaming the last owner keeps its role: not a demotion.
    expect(staffChangeRefusal('owner', 'owner', 'owner', 1)).toBeNull();
  });

  it('keeps an admin away from owners, with a detail saying so', () => {
    for (const [current, next] of [
      [null, 'owner'],
      ['owner', 'admin'],
      ['owner', null],
      ['operator', 'owner'],
    ] as const) {
      const refusal = staffChangeRefusal('admin', current, next, 3);
      expect(refusal).toMatchObject({ kind: 'forbidden' });
      expect(refusal?.kind === 'forbidden' && refusal.detail).toMatch(/admin cannot .* owner/);
    }
    expect(staffChangeRefusal('admin', 'operator', 'billing', 1)).toBeNull();
    expect(staffChangeRefusal('admin', null, 'admin', 1)).toBeNull();
  });

  it('lets neither operators, billing users nor keys manage staff', () => {
    for (const actor of ['operator', 'billing', 'key'] as const) {
      expect(staffChangeRefusal(actor, null, 'billing', 1)).toMatchObject({ kind: 'forbidden' });
    }
  });

  it('counts owners in and out', () => {
    expect(ownerCountChange(null, 'owner')).toBe(1);
    expect(ownerCountChange('owner', null)).toBe(-1);
    expect(ownerCountChange('owner', 'billing')).toBe(-1);
    expect(ownerCountChange('admin', 'owner')).toBe(1);
    expect(ownerCountChange('owner', 'owner')).toBe(0);
    expect(ownerCountChange('admin', null)).toBe(0);
  });

  it('compares e-mails without case or surrounding spaces', () => {
    expect(normaliseEmail('  Ana.Lee@Example.COM ')).toBe('ana.lee@example.com');
  });
});
