/**
 * The fixture and the callers of the authorization matrix (authorization-matrix.test.ts): two
 * partners, partner A with two companies (A1, A2) and partner B with one, each with its admin
 * account, a sub-account and a contact; sessions of admins and a backup user, an impersonation,
 * a storage key, partner A's staff of each role, and tokens that must not work (forged,
 * tampered, signed with another secret).
 *
 * What each caller is, and so what SPEC §3 answers it, is known before the fixture exists: the
 * cases are generated from the definitions at collection time, the tokens filled in beforeAll.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createApiKey } from '#lib/auth/api-keys.ts';
import type { CallerKind } from '#lib/auth/principal.ts';
import { codeAt } from '#lib/auth/totp.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import type { TenantScope } from '#lib/provisioning/scope.ts';
import { deliverEvent } from '#lib/provisioning/webhook-delivery.ts';
import { createWebhook } from '#lib/provisioning/webhooks.ts';
import { FEED_SETTLE_MS } from '#lib/rules/events.ts';
import { staffWithPassword } from '../../support/builders.ts';
import { call, createAccount, createCompany, firstLogin } from '../../support/gateway.ts';
import { strongPassword, temporaryPasswordIn, uniqueName } from '../../support/http-fixtures.ts';
import { mailTo, newPartnersWithKeys, newStorageKey, type Partner } from './support.ts';

/** The tenants a reply may speak of; `secret` values must never appear in any reply. */
export type Tenant = 'partnerA' | 'A1' | 'A2' | 'A3' | 'partnerB' | 'B1' | 'secret';

export type CallerName =
  | 'no token'
  | 'random string'
  | 'random pk_ key'
  | 'tampered role'
  | 'tampered company'
  | 'other secret'
  | 'alg none'
  | 'other partner'
  | 'storage service'
  | 'backup user'
  | 'admin of other company'
  | 'impersonation of other company'
  | 'admin of same company'
  | 'read key'
  | 'partner'
  | 'staff owner'
  | 'staff admin'
  | 'staff operator'
  | 'staff billing';

export interface Caller {
  name: CallerName;
  /** `invalid`: the service must not know who this is (401 wherever a caller is needed). */
  kind: Exclude<CallerKind, 'anonymous'> | 'invalid';
  /** Reaches company A1, the company every company route of the matrix names. */
  reachesA1: boolean;
  /** Tenants the caller may read about when it is served. */
  sees: readonly Tenant[];
}

const STAFF_ROLES = ['owner', 'admin', 'operator', 'billing'] as const;
type StaffRole = (typeof STAFF_ROLES)[number];

/** The callers, in the order each operation tries them. */
export const CALLERS: readonly Caller[] = [
  { name: 'no token', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'random string', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'random pk_ key', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'tampered role', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'tampered company', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'other secret', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'alg none', kind: 'invalid', reachesA1: false, sees: [] },
  { name: 'other partner', kind: 'fullKey', reachesA1: false, sees: ['partnerB', 'B1'] },
  { name: 'storage service', kind: 'storage', reachesA1: false, sees: [] },
  // Its own account names its company, parent and contact: those marks are listed apart.
  { name: 'backup user', kind: 'backupUser', reachesA1: false, sees: [] },
  {
    name: 'admin of other company',
    kind: 'companyAdmin',
    reachesA1: false,
    sees: ['partnerA', 'A2'],
  },
  {
    name: 'impersonation of other company',
    kind: 'companyAdmin',
    reachesA1: false,
    sees: ['partnerA', 'A2'],
  },
  {
    name: 'admin of same company',
    kind: 'companyAdmin',
    reachesA1: true,
    sees: ['partnerA', 'A1'],
  },
  // Partner A's read key: every GET as its full key, nothing else.
  { name: 'read key', kind: 'readKey', reachesA1: true, sees: ['partnerA', 'A1', 'A2', 'A3'] },
  { name: 'partner', kind: 'fullKey', reachesA1: true, sees: ['partnerA', 'A1', 'A2', 'A3'] },
  // Partner A's staff, one of each role, signed in with TOTP enrolled.
  ...STAFF_ROLES.map(
    (role): Caller => ({
      name: `staff ${role}`,
      kind: role,
      reachesA1: true,
      sees: ['partnerA', 'A1', 'A2', 'A3'],
    }),
  ),
];

export interface Login {
  id: string;
  username: string;
  password: string;
}

export interface FixtureCompany {
  id: string;
  name: string;
  admin: Login & { email: string };
  adminContactId: string;
  sub: Login;
  contact: { id: string; email: string; fullName: string };
}

export interface Fixture {
  partnerA: Partner & { name: string };
  partnerB: Partner & { name: string };
  /** Partner A's key of scope `read`, and its id. */
  readKey: string;
  readKeyId: string;
  /** Partner A's key that its owner and admin revoke (again: a repeat answers the same). */
  spareKeyId: string;
  /** Partner A's staff members that its owner and admin change and remove. */
  spareStaff: { update: string; removeByOwner: string; removeByAdmin: string };
  /** Partner A's webhook endpoint with one delivery, and the two its owner and admin remove. */
  webhook: { id: string; deliveryId: string; removeByOwner: string; removeByAdmin: string };
  /** Partner A's signed-in staff, by role: their e-mails and secrets are marks. */
  staff: Record<StaffRole, SignedInStaff>;
  storageKey: string;
  A1: FixtureCompany;
  A2: FixtureCompany;
  B1: FixtureCompany;
  /** Partner A's throwaway company: renamed and cancelled by the partner's own cases. */
  A3: { id: string; name: string };
  /**
   * Partner A's throwaway company that the partner's cases suspend and reactivate, so that no
   * other case finds A1 or A2 suspended (a company admin's writes would then answer 409).
   */
  A4: { id: string; name: string };
  /** Throwaway accounts of A1 that allowed callers change, cancel, reset, log in to, recover. */
  spare: {
    update: Login;
    cancelByPartner: Login;
    cancelByAdmin: Login;
    resetByPartner: Login;
    resetByAdmin: Login;
    login: Login;
    recover: Login & { secretAnswer: string };
  };
  /** Each caller's bearer token (undefined: no Authorization header). */
  tokens: Record<CallerName, string | undefined>;
  /** The account behind each session caller, whose password the password change needs. */
  sessionAccounts: Partial<Record<CallerName, Login>>;
  /** Every value a reply could leak, by the tenant it belongs to. */
  marks: Mark[];
}

export interface SignedInStaff {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  token: string;
}

/**
 * A member of the partner with a password of its own, signed in and enrolled as SPEC §7 has it:
 * login, TOTP setup and confirmation, after which its session serves its role.
 */
async function signedInStaff(partnerId: string, role: StaffRole): Promise<SignedInStaff> {
  const member = await staffWithPassword(partnerId, { role, mustChangePassword: false });
  const login = await call('POST', '/v1/auth/staff/login', {
    body: { email: member.email, password: member.password },
  });
  if (login.status !== 200) throw new Error(`staff login: ${JSON.stringify(login.body)}`);
  const token = login.body.token as string;
  const setup = await call('POST', '/v1/auth/mfa/setup', { token });
  if (setup.status !== 200) throw new Error(`mfa setup: ${JSON.stringify(setup.body)}`);
  const confirmed = await call('POST', '/v1/auth/mfa/confirm', {
    token,
    body: { code: codeAt(setup.body.secret, Date.now()) },
  });
  if (confirmed.status !== 200) throw new Error(`mfa confirm: ${JSON.stringify(confirmed.body)}`);
  return {
    id: member.staff.id,
    email: member.email,
    password: member.password,
    totpSecret: setup.body.secret,
    token,
  };
}

export interface Mark {
  tenant: Tenant;
  what: string;
  value: string;
}

/**
 * A company of the fixture: admin, a contact of its own, and a sub-account using that contact.
 * `mailed`: the admin's temporary password is generated and read from the welcome e-mail, as a
 * customer gets it; otherwise it is given (and not e-mailed).
 */
async function fixtureCompany(
  partner: Partner,
  label: string,
  mailed: boolean,
): Promise<FixtureCompany> {
  const givenPassword = strongPassword('Adm');
  const created = await createCompany(partner.apiKey, {
    name: uniqueName(`Company ${label} `),
    contact: { fullName: uniqueName(`Admin Person ${label} `) },
    admin: mailed ? {} : { password: givenPassword },
  });
  const adminPassword = mailed
    ? temporaryPasswordIn(await mailTo(partner.partnerId, created.email))
    : givenPassword;
  const companyId = created.company.id as string;
  const email = `${uniqueName(`contact.${label.toLowerCase()}.`)}@matrix.example`;
  const fullName = uniqueName(`Contact Person ${label} `);
  const contact = await call('POST', `/v1/companies/${companyId}/contacts`, {
    token: partner.apiKey,
    body: { fullName, email },
  });
  if (contact.status !== 201) throw new Error(`contact: ${JSON.stringify(contact.body)}`);
  const subPassword = strongPassword('Sub');
  const sub = await createAccount(partner.apiKey, companyId, {
    username: uniqueName(`sub.${label.toLowerCase()}.`),
    parentId: created.account.id,
    contactId: contact.body.id,
    password: subPassword,
  });
  return {
    id: companyId,
    name: created.company.name,
    admin: {
      id: created.account.id,
      username: created.username,
      password: adminPassword,
      email: created.email,
    },
    adminContactId: created.contact.id,
    sub: { id: sub.account.id, username: sub.account.username, password: subPassword },
    contact: { id: contact.body.id, email, fullName },
  };
}

/** A sub-account of the company's admin, with a password given (so no e-mail). */
async function spareAccount(partner: Partner, company: FixtureCompany, extra = {}): Promise<Login> {
  const password = strongPassword('Spare');
  const created = await createAccount(partner.apiKey, company.id, {
    username: uniqueName('spare.'),
    parentId: company.admin.id,
    password,
    ...extra,
  });
  return { id: created.account.id, username: created.account.username, password };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** A real token with its claims changed and its signature kept. */
function tampered(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return `${header}.${base64url({ ...decode(payload), ...change })}.${signature}`;
}

/** The same claims as a real token, signed with a secret the service does not hold. */
async function signedElsewhere(token: string): Promise<string> {
  const claims = decode(token.split('.')[1] as string);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(randomBytes(32));
}

/** The same claims with `alg: none` and no signature. */
function unsigned(token: string): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${token.split('.')[1]}.`;
}

/**
 * Partner A's webhook endpoints, on a receiver of this process that answers 200 (the tests run
 * with STAGE=local): one with a delivery of A's first event, for the routes that name it, and
 * two throwaways to remove. Its secret is a mark no reply may hold.
 */
async function fixtureWebhooks(partnerId: string) {
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiver.unref();
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/matrix`;
  const scope: TenantScope = {
    partnerId,
    partnerName: 'Matrix A',
    fineIncrements: false,
    companyId: null,
    actor: 'operator',
    actingAs: null,
  };
  const webhook = await createWebhook(scope, { url, eventTypes: ['company.created'] });
  const settled = new Date(Date.now() + FEED_SETTLE_MS + 1000);
  const [event] = (await listEvents(scope, { limit: 1 }, settled)).items;
  if (!event) throw new Error('partner A has no event to deliver');
  const [delivery] = await deliverEvent(event, {});
  if (!delivery) throw new Error('the fixture webhook got no delivery');
  const [byOwner, byAdmin] = await Promise.all([
    createWebhook(scope, { url, eventTypes: ['trial.expired'] }),
    createWebhook(scope, { url, eventTypes: ['trial.expired'] }),
  ]);
  return {
    ids: {
      id: webhook.id,
      deliveryId: delivery.id,
      removeByOwner: byOwner.id,
      removeByAdmin: byAdmin.id,
    },
    secrets: [webhook.secret, byOwner.secret, byAdmin.secret],
  };
}

export async function buildFixture(): Promise<Fixture> {
  const partnerNames = [uniqueName('Matrix A IT '), uniqueName('Matrix B IT ')];
  const [[partnerA, partnerB], storageKey] = (await Promise.all([
    newPartnersWithKeys(...partnerNames),
    newStorageKey(),
  ])) as [[Partner, Partner], string];
  const [A1, A2, B1] = await Promise.all([
    fixtureCompany(partnerA, 'A1', true),
    fixtureCompany(partnerA, 'A2', true),
    fixtureCompany(partnerB, 'B1', false),
  ]);
  const webhooks = await fixtureWebhooks(partnerA.partnerId);
  const a3 = await createCompany(partnerA.apiKey, {
    name: uniqueName('Company A3 '),
    admin: { password: strongPassword('Adm') },
  });
  const a4 = await createCompany(partnerA.apiKey, {
    name: uniqueName('Company A4 '),
    admin: { password: strongPassword('Adm') },
  });
  const secretAnswer = uniqueName('harbour ');
  const [
    update,
    cancelByPartner,
    cancelByAdmin,
    resetByPartner,
    resetByAdmin,
    loginTarget,
    recover,
  ] = await Promise.all([
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1),
    spareAccount(partnerA, A1, { secretQuestion: 'Where?', secretAnswer }),
  ]);

  // Sessions: first login with the temporary password, then the password changed.
  const temporaryPasswords = [A1.admin.password, A2.admin.password, A1.sub.password];
  const [adminA1, adminA2, userA1] = await Promise.all([
    firstLogin(A1.admin.username, A1.admin.password),
    firstLogin(A2.admin.username, A2.admin.password),
    firstLogin(A1.sub.username, A1.sub.password),
  ]);
  A1.admin.password = adminA1.password;
  A2.admin.password = adminA2.password;
  A1.sub.password = userA1.password;
  // No route makes keys yet: the read key is made as the operator's CLI makes one.
  const { apiKey: readKey, key: readKeyRecord } = await createApiKey(partnerA.partnerId, {
    name: 'Matrix read key',
    scope: 'read',
    createdBy: 'operator',
  });
  const { key: spareKey } = await createApiKey(partnerA.partnerId, {
    name: 'Matrix key to revoke',
    scope: 'full',
    createdBy: 'operator',
  });
  const [owner, admin, operator, billing] = await Promise.all(
    STAFF_ROLES.map((role) => signedInStaff(partnerA.partnerId, role)),
  );
  const spareMember = () => staffWithPassword(partnerA.partnerId, { role: 'billing' });
  const [spareUpdate, spareRemoveByOwner, spareRemoveByAdmin] = await Promise.all([
    spareMember(),
    spareMember(),
    spareMember(),
  ]);
  const staff = { owner, admin, operator, billing } as Record<StaffRole, SignedInStaff>;
  const impersonation = await call('POST', `/v1/companies/${A2.id}/impersonate`, {
    token: partnerA.apiKey,
  });
  if (impersonation.status !== 200) {
    throw new Error(`impersonate: ${JSON.stringify(impersonation.body)}`);
  }

  const tokens: Record<CallerName, string | undefined> = {
    'no token': undefined,
    'random string': randomBytes(24).toString('hex'),
    'random pk_ key': `pk_${randomBytes(32).toString('base64url')}`,
    // A backup user promoting itself to company admin.
    'tampered role': tampered(userA1.token, { role: 'companyAdmin' }),
    // Another company's admin moving its session to A1 and A1's admin account.
    'tampered company': tampered(adminA2.token, { cid: A1.id, sub: A1.admin.id }),
    'other secret': await signedElsewhere(adminA1.token),
    'alg none': unsigned(adminA1.token),
    'other partner': partnerB.apiKey,
    'storage service': storageKey,
    'backup user': userA1.token,
    'admin of other company': adminA2.token,
    'impersonation of other company': impersonation.body.token,
    'admin of same company': adminA1.token,
    'read key': readKey,
    partner: partnerA.apiKey,
    'staff owner': staff.owner.token,
    'staff admin': staff.admin.token,
    'staff operator': staff.operator.token,
    'staff billing': staff.billing.token,
  };

  const fixture: Fixture = {
    partnerA: { ...partnerA, name: partnerNames[0] as string },
    partnerB: { ...partnerB, name: partnerNames[1] as string },
    readKey,
    readKeyId: readKeyRecord.id,
    spareKeyId: spareKey.id,
    spareStaff: {
      update: spareUpdate.staff.id,
      removeByOwner: spareRemoveByOwner.staff.id,
      removeByAdmin: spareRemoveByAdmin.staff.id,
    },
    webhook: webhooks.ids,
    staff,
    storageKey,
    A1,
    A2,
    B1,
    A3: { id: a3.company.id, name: a3.company.name },
    A4: { id: a4.company.id, name: a4.company.name },
    spare: {
      update,
      cancelByPartner,
      cancelByAdmin,
      resetByPartner,
      resetByAdmin,
      login: loginTarget,
      recover: { ...recover, secretAnswer },
    },
    tokens,
    sessionAccounts: {
      'backup user': A1.sub,
      'admin of same company': A1.admin,
      'admin of other company': A2.admin,
      'impersonation of other company': A2.admin,
      ...Object.fromEntries(
        STAFF_ROLES.map((role) => [
          `staff ${role}`,
          { id: staff[role].id, username: staff[role].email, password: staff[role].password },
        ]),
      ),
    },
    marks: [],
  };
  fixture.marks = [
    ...marksOf(fixture),
    ...temporaryPasswords.map((value) => ({ tenant: 'secret' as const, what: 'a secret', value })),
    ...webhooks.secrets.map((value) => ({
      tenant: 'secret' as const,
      what: 'a webhook secret',
      value: value.slice('whsec_'.length),
    })),
    ...[spareUpdate, spareRemoveByOwner, spareRemoveByAdmin].flatMap((member) => [
      { tenant: 'partnerA' as const, what: 'staff e-mail', value: member.email },
      { tenant: 'secret' as const, what: 'a secret', value: member.password },
    ]),
  ];
  return fixture;
}

function companyMarks(tenant: Tenant, company: FixtureCompany): Mark[] {
  return [
    { tenant, what: 'company id', value: company.id },
    { tenant, what: 'company name', value: company.name },
    { tenant, what: 'admin account id', value: company.admin.id },
    { tenant, what: 'admin username', value: company.admin.username },
    { tenant, what: 'admin e-mail', value: company.admin.email },
    { tenant, what: 'admin contact id', value: company.adminContactId },
    { tenant, what: 'sub-account id', value: company.sub.id },
    { tenant, what: 'sub-account username', value: company.sub.username },
    { tenant, what: 'contact id', value: company.contact.id },
    { tenant, what: 'contact e-mail', value: company.contact.email },
    { tenant, what: 'contact name', value: company.contact.fullName },
  ];
}

function marksOf(f: Fixture): Mark[] {
  const spares = Object.entries(f.spare).flatMap(([name, login]) => [
    { tenant: 'A1' as const, what: `${name} account id`, value: login.id },
    { tenant: 'A1' as const, what: `${name} username`, value: login.username },
  ]);
  const secrets = [
    f.partnerA.apiKey,
    f.partnerB.apiKey,
    f.readKey,
    f.storageKey,
    f.A1.admin.password,
    f.A2.admin.password,
    f.B1.admin.password,
    f.A1.sub.password,
    f.A2.sub.password,
    f.B1.sub.password,
    f.spare.recover.secretAnswer,
    process.env.SESSION_SECRET as string,
    ...STAFF_ROLES.flatMap((role) => [f.staff[role].password, f.staff[role].totpSecret]),
  ].map((value) => ({ tenant: 'secret' as const, what: 'a secret', value }));
  const staffEmails = STAFF_ROLES.map((role) => ({
    tenant: 'partnerA' as const,
    what: `staff ${role} e-mail`,
    value: f.staff[role].email,
  }));
  return [
    { tenant: 'partnerA', what: 'partner id', value: f.partnerA.partnerId },
    { tenant: 'partnerA', what: 'partner name', value: f.partnerA.name },
    { tenant: 'partnerB', what: 'partner id', value: f.partnerB.partnerId },
    { tenant: 'partnerB', what: 'partner name', value: f.partnerB.name },
    ...companyMarks('A1', f.A1),
    ...companyMarks('A2', f.A2),
    ...companyMarks('B1', f.B1),
    { tenant: 'A3', what: 'company id', value: f.A3.id },
    { tenant: 'A3', what: 'company name', value: f.A3.name },
    ...spares,
    ...staffEmails,
    ...secrets,
  ];
}

/**
 * The values of marks a caller may not read, found in a reply body. A served caller may read
 * its tenants' values (a backup user only what its own account names); a refused one nothing.
 */
export function foreignDataIn(
  body: unknown,
  marks: readonly Mark[],
  visible: (mark: Mark) => boolean,
): Mark[] {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return marks.filter((mark) => !visible(mark) && contains(text, mark.value));
}

/** Whole values only: `admin.x1` is not found in `admin.x10`. */
function contains(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9._@+-])${escaped}(?![A-Za-z0-9._@+-])`).test(text);
}
