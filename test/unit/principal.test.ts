import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnonymousPrincipal,
  type BackupUserPrincipal,
  type CompanyAdminPrincipal,
  callerKind,
  fromAuthorizerContext,
  isSession,
  type PartnerPrincipal,
  type Principal,
  partnerActor,
  type StoragePrincipal,
  toAuthorizerContext,
} from '#lib/auth/principal.ts';

const partner: PartnerPrincipal = {
  kind: 'partner',
  partnerId: '01JPARTNER0000000000000000',
  partnerName: 'Acme Backup',
  fineIncrements: true,
  via: { type: 'key', id: '01JKEY00000000000000000000', scope: 'full' },
};

const staffOwner: PartnerPrincipal = {
  ...partner,
  via: {
    type: 'staff',
    id: '01JSTAFF000000000000000000',
    role: 'owner',
    mustChangePassword: false,
    mfaEnrolled: true,
    expiresAtSeconds: 1_900_000_000,
  },
};

const companyAdmin: CompanyAdminPrincipal = {
  kind: 'companyAdmin',
  partnerId: partner.partnerId,
  partnerName: partner.partnerName,
  fineIncrements: false,
  companyId: '01JCOMPANY0000000000000000',
  accountId: '01JADMIN000000000000000000',
  mustChangePassword: true,
  expiresAtSeconds: 1_900_000_000,
  actingPartnerId: null,
  actingStaffId: null,
};

const impersonation: CompanyAdminPrincipal = {
  ...companyAdmin,
  mustChangePassword: false,
  actingPartnerId: partner.partnerId,
};

const staffImpersonation: CompanyAdminPrincipal = {
  ...impersonation,
  actingStaffId: '01JSTAFF000000000000000000',
};

const backupUser: BackupUserPrincipal = {
  kind: 'backupUser',
  partnerId: partner.partnerId,
  partnerName: partner.partnerName,
  fineIncrements: true,
  companyId: companyAdmin.companyId,
  accountId: '01JACCOUNT0000000000000000',
  mustChangePassword: false,
  expiresAtSeconds: 1_900_000_000,
};

const storage: StoragePrincipal = { kind: 'storage' };
const anonymous: AnonymousPrincipal = { kind: 'anonymous' };

/** What API Gateway forwards when it stringifies the context (REST-style authorizers). */
const stringified = (context: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(context).map(([name, value]) => [name, String(value)]));

describe('toAuthorizerContext / fromAuthorizerContext', () => {
  it.each([
    ['a partner', partner],
    ['a partner without fine increments', { ...partner, fineIncrements: false }],
    [
      'a partner with a read key',
      { ...partner, via: { type: 'key', id: '01JKEY00000000000000000000', scope: 'read' } },
    ],
    [
      'a partner with a key made before keys had ids',
      { ...partner, via: { type: 'key', id: '', scope: 'full' } },
    ],
    ['a staff owner', staffOwner],
    [
      'a billing staff member with a password change and enrolment pending',
      {
        ...partner,
        via: {
          type: 'staff',
          id: '01JSTAFF000000000000000001',
          role: 'billing',
          mustChangePassword: true,
          mfaEnrolled: false,
          expiresAtSeconds: 1_800_000_000,
        },
      },
    ],
    ['a company admin', companyAdmin],
    ['a partner acting as company admin', impersonation],
    ['a staff member acting as company admin', staffImpersonation],
    ['a backup user', backupUser],
    ['storage', storage],
    ['anonymous', anonymous],
  ] as [string, Principal][])('round-trips %s', (_label, principal) => {
    // Act
    const back = fromAuthorizerContext(toAuthorizerContext(principal));

    // Assess
    expect(back).toEqual(principal);
  });

  it.each([
    ['a partner', partner],
    ['a company admin', companyAdmin],
    ['a partner acting as company admin', impersonation],
    ['a backup user', backupUser],
    ['storage', storage],
    ['a staff owner', staffOwner],
    ['a staff member acting as company admin', staffImpersonation],
  ] as [string, Principal][])(
    'round-trips %s with every value as a string',
    (_label, principal) => {
      // Prepare
      const context = stringified(toAuthorizerContext(principal));

      // Act
      const back = fromAuthorizerContext(context);

      // Assess
      expect(back).toEqual(principal);
    },
  );

  it('holds no nulls, only strings, booleans and numbers', () => {
    // Prepare: API Gateway drops or rejects null context values.
    const principals: Principal[] = [
      partner,
      staffOwner,
      companyAdmin,
      impersonation,
      staffImpersonation,
      backupUser,
      storage,
    ];

    // Act
    const contexts = principals.map(toAuthorizerContext);

    // Assess
    for (const context of contexts) {
      for (const value of Object.values(context))
        expect(['string', 'boolean', 'number']).toContain(typeof value);
    }
  });

  it('writes "not impersonated" as an empty actingPartnerId for admins and backup users', () => {
    // Act
    const admin = toAuthorizerContext(companyAdmin);
    const user = toAuthorizerContext(backupUser);
    const acting = toAuthorizerContext(impersonation);

    // Assess: the idempotency key reads this field, so it must always be present.
    expect(admin.actingPartnerId).toBe('');
    expect(user.actingPartnerId).toBe('');
    expect(acting.actingPartnerId).toBe(partner.partnerId);
  });

  it('keeps a backup user a backup user even if the context names an acting partner', () => {
    // Prepare
    const context = { ...toAuthorizerContext(backupUser), actingPartnerId: partner.partnerId };

    // Act
    const back = fromAuthorizerContext(context);

    // Assess
    expect(back).toEqual(backupUser);
    expect(back).not.toHaveProperty('actingPartnerId');
  });

  it('property: every well-formed principal survives the trip, as booleans or as strings', () => {
    // Prepare
    const id = fc.string({ minLength: 1, maxLength: 30 });
    const session = {
      partnerId: id,
      partnerName: fc.string({ maxLength: 40 }),
      fineIncrements: fc.boolean(),
      companyId: id,
      accountId: id,
      mustChangePassword: fc.boolean(),
      expiresAtSeconds: fc.integer({ min: 1, max: 2_000_000_000 }),
    };
    const principal: fc.Arbitrary<Principal> = fc.oneof(
      fc.record({
        kind: fc.constant('partner' as const),
        partnerId: id,
        partnerName: fc.string({ maxLength: 40 }),
        fineIncrements: fc.boolean(),
        via: fc.oneof(
          fc.record({
            type: fc.constant('key' as const),
            id: fc.string({ maxLength: 30 }),
            scope: fc.constantFrom('full' as const, 'read' as const),
          }),
          fc.record({
            type: fc.constant('staff' as const),
            id,
            role: fc.constantFrom(
              'owner' as const,
              'admin' as const,
              'operator' as const,
              'billing' as const,
            ),
            mustChangePassword: fc.boolean(),
            mfaEnrolled: fc.boolean(),
            expiresAtSeconds: fc.integer({ min: 1, max: 2_000_000_000 }),
          }),
        ),
      }),
      fc
        .record({
          kind: fc.constant('companyAdmin' as const),
          ...session,
          actingPartnerId: fc.option(id, { nil: null }),
          actingStaffId: fc.option(id, { nil: null }),
        })
        // Only an impersonation is held by a staff member.
        .map((p) => (p.actingPartnerId ? p : { ...p, actingStaffId: null })),
      fc.record({ kind: fc.constant('backupUser' as const), ...session }),
      fc.constant(storage),
      fc.constant(anonymous),
    );

    // Act / Assess
    fc.assert(
      fc.property(principal, (p) => {
        const context = toAuthorizerContext(p);
        expect(fromAuthorizerContext(context)).toEqual(p);
        expect(fromAuthorizerContext(stringified(context))).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fromAuthorizerContext', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'partner'],
    ['a number', 42],
    ['true', true],
    ['an array', ['partner']],
    ['an empty object', {}],
    ['an unknown kind', { kind: 'root', partnerId: partner.partnerId }],
    ['a kind in another case', { kind: 'Partner', partnerId: partner.partnerId }],
    ['a partner without an id', { kind: 'partner', partnerName: 'Acme' }],
    ['a partner with an empty id', { kind: 'partner', partnerId: '' }],
    ['a partner with a numeric id', { kind: 'partner', partnerId: 42 }],
  ])('reads %s as anonymous', (_label, context) => {
    // Act
    const principal = fromAuthorizerContext(context);

    // Assess
    expect(principal).toEqual({ kind: 'anonymous' });
  });

  it.each(['partnerId', 'companyId', 'accountId'] as const)(
    'reads a session without %s as anonymous',
    (field) => {
      // Prepare: a session that cannot be scoped to a tenant must open nothing.
      for (const principal of [companyAdmin, backupUser]) {
        const missing = { ...toAuthorizerContext(principal) };
        delete missing[field];
        const empty = { ...toAuthorizerContext(principal), [field]: '' };
        const numeric = { ...toAuthorizerContext(principal), [field]: 7 };

        // Act
        const read = [missing, empty, numeric].map(fromAuthorizerContext);

        // Assess
        expect(read).toEqual([anonymous, anonymous, anonymous]);
      }
    },
  );

  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    ['TRUE', false],
    ['1', false],
    [1, false],
    ['yes', false],
    [undefined, false],
  ])('reads the flag %j as %s', (value, expected) => {
    // Prepare: anything but an explicit true is false, so a garbled flag never grants more.
    const partnerContext = { ...toAuthorizerContext(partner), fineIncrements: value };
    const sessionContext = { ...toAuthorizerContext(backupUser), mustChangePassword: value };

    // Act
    const readPartner = fromAuthorizerContext(partnerContext) as PartnerPrincipal;
    const readSession = fromAuthorizerContext(sessionContext) as BackupUserPrincipal;

    // Assess
    expect(readPartner.fineIncrements).toBe(expected);
    expect(readSession.mustChangePassword).toBe(expected);
  });

  it.each([
    ['missing', undefined],
    ['in another case', 'FULL'],
    ['unknown', 'admin'],
    ['a boolean', true],
  ])('reads a key scope that is %s as read', (_label, keyScope) => {
    // Prepare: a garbled scope must never grant more than reading.
    const context = { ...toAuthorizerContext(partner), keyScope };

    // Act
    const read = fromAuthorizerContext(context) as PartnerPrincipal;

    // Assess
    expect(read.via).toEqual({ type: 'key', id: '01JKEY00000000000000000000', scope: 'read' });
    expect(callerKind(read)).toBe('readKey');
  });

  it.each([
    ['missing', undefined],
    ['in another case', 'OWNER'],
    ['unknown', 'root'],
    ['a key scope', 'full'],
    ['a boolean', true],
  ])('reads a staff role that is %s as billing', (_label, staffRole) => {
    // Prepare: a garbled role must never grant more than the least privileged role.
    const context = { ...toAuthorizerContext(staffOwner), staffRole };

    // Act
    const read = fromAuthorizerContext(context) as PartnerPrincipal;

    // Assess
    expect(read.via).toEqual({ ...staffOwner.via, role: 'billing' });
    expect(callerKind(read)).toBe('billing');
  });

  it('reads a staff session without a staff id as anonymous', () => {
    // Prepare
    const missing = { ...toAuthorizerContext(staffOwner) };
    delete missing.staffId;
    const empty = { ...toAuthorizerContext(staffOwner), staffId: '' };

    // Act
    const read = [missing, empty].map(fromAuthorizerContext);

    // Assess
    expect(read).toEqual([anonymous, anonymous]);
  });

  it('reads missing staff flags as a password change and an enrolment pending', () => {
    // Prepare: a flag lost on the way must gate the session, not open it.
    const context = { ...toAuthorizerContext(staffOwner) };
    delete context.mfaEnrolled;
    const pending = { ...toAuthorizerContext(staffOwner), mustChangePassword: 'true' };

    // Act
    const noFlag = fromAuthorizerContext(context) as PartnerPrincipal;
    const mustChange = fromAuthorizerContext(pending) as PartnerPrincipal;

    // Assess
    expect(noFlag.via).toMatchObject({ type: 'staff', mfaEnrolled: false });
    expect(mustChange.via).toMatchObject({ type: 'staff', mustChangePassword: true });
  });

  it('reads a missing or non-string partner name as empty, keeping the partner', () => {
    // Prepare
    const missing = { kind: 'partner', partnerId: partner.partnerId };
    const numeric = { kind: 'partner', partnerId: partner.partnerId, partnerName: 5 };

    // Act
    const fromMissing = fromAuthorizerContext(missing);
    const fromNumeric = fromAuthorizerContext(numeric);

    // Assess
    const bare = { ...partner, partnerName: '', fineIncrements: false };
    expect(fromMissing).toEqual({ ...bare, via: { type: 'key', id: '', scope: 'read' } });
    expect(fromNumeric).toEqual({ ...bare, via: { type: 'key', id: '', scope: 'read' } });
  });

  it('reads a missing or non-string acting partner as no impersonation', () => {
    // Prepare
    const missing = { ...toAuthorizerContext(companyAdmin) };
    delete missing.actingPartnerId;
    const numeric = { ...toAuthorizerContext(companyAdmin), actingPartnerId: 5 };

    // Act
    const fromMissing = fromAuthorizerContext(missing);
    const fromNumeric = fromAuthorizerContext(numeric);

    // Assess
    expect(fromMissing).toEqual(companyAdmin);
    expect(fromNumeric).toEqual(companyAdmin);
  });

  it('reads storage without further fields and ignores any extra ones', () => {
    // Act
    const principal = fromAuthorizerContext({ kind: 'storage', partnerId: partner.partnerId });

    // Assess: storage must not pick up a tenant from a stray field.
    expect(principal).toEqual({ kind: 'storage' });
  });

  it('does not pick up fields of another kind', () => {
    // Prepare: a partner context carrying session fields stays a plain partner.
    const context = {
      ...toAuthorizerContext(partner),
      companyId: companyAdmin.companyId,
      accountId: companyAdmin.accountId,
      mustChangePassword: true,
    };

    // Act
    const principal = fromAuthorizerContext(context);

    // Assess
    expect(principal).toEqual(partner);
  });
});

describe('callerKind', () => {
  it('names the staff role or the key scope of a partner, and the kind of anyone else', () => {
    // Prepare
    const readKey: PartnerPrincipal = {
      ...partner,
      via: { ...partner.via, scope: 'read' } as PartnerPrincipal['via'],
    };
    const roles = (['owner', 'admin', 'operator', 'billing'] as const).map(
      (role): PartnerPrincipal => ({
        ...staffOwner,
        via: { ...staffOwner.via, role } as PartnerPrincipal['via'],
      }),
    );

    // Act
    const kinds = [partner, readKey, ...roles, companyAdmin, backupUser, storage, anonymous].map(
      callerKind,
    );

    // Assess
    expect(kinds).toEqual([
      'fullKey',
      'readKey',
      'owner',
      'admin',
      'operator',
      'billing',
      'companyAdmin',
      'backupUser',
      'storage',
      'anonymous',
    ]);
  });
});

describe('partnerActor', () => {
  it('names a staff member, a key by its id, and a key without id by its partner', () => {
    // Prepare
    const legacy: PartnerPrincipal = { ...partner, via: { type: 'key', id: '', scope: 'full' } };

    // Act
    const actors = [staffOwner, partner, legacy].map(partnerActor);

    // Assess
    expect(actors).toEqual([
      'staff:01JSTAFF000000000000000000',
      'key:01JKEY00000000000000000000',
      `partner:${partner.partnerId}`,
    ]);
  });
});

describe('isSession', () => {
  it('is true exactly for company admins and backup users', () => {
    // Prepare
    const all: Principal[] = [partner, companyAdmin, impersonation, backupUser, storage, anonymous];

    // Act
    const sessions = all.map(isSession);

    // Assess
    expect(sessions).toEqual([false, true, true, true, false, false]);
  });
});
