/**
 * The authorization matrix: every operation of lib/api/operations.ts × every kind of caller,
 * generated from the definitions (method, path, `allow`, idempotency, body schema), each
 * answered as SPEC §3 says — 401 for a caller the service cannot know, 403 for a kind the
 * operation does not allow, 404 for another partner's or company's ids, the success status for
 * allowed callers on their own objects — with no other tenant's data in any reply.
 *
 * Every refused case runs first, with a body that would change the fixture if it were carried
 * out; the whole table is then compared with its state before them. The served cases run after,
 * on throwaway objects where they destroy, and the password change (which ends the caller's own
 * sessions) last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '#lib/api/document.ts';
import type { Operation } from '#lib/api/operations.ts';
import { staffWithPassword } from '../../support/builders.ts';
import { call } from '../../support/gateway.ts';
import { type HttpReply, strongPassword, uniqueName } from '../../support/http-fixtures.ts';
import {
  buildFixture,
  CALLERS,
  type Caller,
  type CallerName,
  type Fixture,
  foreignDataIn,
  type Mark,
} from './matrix-support.ts';
import { scanTable } from './support.ts';

interface Expectation {
  status: number;
  code?: string;
  /** Refused: must change nothing. */
  refused: boolean;
  why: string;
}

/**
 * Refusals of an allowed kind by the operation's own rule, as the README documents them (a
 * partner acting as company admin resets the admin's password; it never sets it).
 */
const DOMAIN_REFUSALS: ReadonlyArray<{ operationId: string; caller: CallerName } & Expectation> = [
  {
    operationId: 'changePassword',
    caller: 'impersonation of other company',
    status: 403,
    code: 'FORBIDDEN',
    refused: true,
    why: 'an impersonation may not set the admin password',
  },
  // The matrix's staff are enrolled already: enrolment is over for them.
  ...(['owner', 'admin', 'operator', 'billing'] as const).flatMap((role) =>
    ['setupMfa', 'confirmMfa'].map((operationId) => ({
      operationId,
      caller: `staff ${role}` as CallerName,
      status: 409,
      code: 'MFA_ALREADY_ENABLED',
      refused: true,
      why: 'TOTP is enrolled already',
    })),
  ),
];

/** What SPEC §3 answers this caller on this operation, the company routes naming A1's ids. */
function expected(operation: Operation, caller: Caller): Expectation {
  const success = { status: operation.response.status, refused: false };
  if (operation.allow.includes('anonymous')) return { ...success, why: 'public route' };
  if (caller.kind === 'invalid') {
    return { status: 401, code: 'UNAUTHORIZED', refused: true, why: 'unknown caller' };
  }
  if (!operation.allow.includes(caller.kind)) {
    return { status: 403, code: 'FORBIDDEN', refused: true, why: `${caller.kind} not allowed` };
  }
  if (operation.path.includes('{companyId}') && !caller.reachesA1) {
    return { status: 404, code: 'NOT_FOUND', refused: true, why: "another tenant's ids" };
  }
  const rule = DOMAIN_REFUSALS.find(
    (r) => r.operationId === operation.operationId && r.caller === caller.name,
  );
  return rule ?? { ...success, why: 'own objects' };
}

interface Case {
  operation: Operation;
  caller: Caller;
  expect: Expectation;
  label: string;
}

const CASES: Case[] = OPERATIONS.flatMap((operation) =>
  CALLERS.map((caller) => ({
    operation,
    caller,
    expect: expected(operation, caller),
    label: `${operation.operationId} (${operation.method} ${operation.path}) × ${caller.name}`,
  })),
);

/** Starts every value a case writes, so that its traces are found among other files' items. */
const MARKER_PREFIX = 'mx.';

let fixture: Fixture;
/** A staff member of partner A with its temporary password, for the public staff login. */
let staffSignIn: { email: string; password: string };
const results = { cases: 0, asSpec: 0, foreign: 0 };

interface Context {
  fixture: Fixture;
  refused: boolean;
  caller: Caller;
  /** Unique to the case, in every value it could write (names, usernames, e-mails). */
  marker: string;
}

/** A valid body for each operation that takes one: a 4xx is then about the caller, not shape. */
const BODIES: Record<string, (c: Context) => unknown> = {
  createCompany: ({ marker }) => ({
    name: `Company ${marker}`,
    contact: { fullName: `Person ${marker}`, email: `${marker}@matrix.example` },
    admin: { username: marker, plan: 'basic', password: strongPassword() },
  }),
  updateCompany: ({ marker }) => ({ name: `Company ${marker}` }),
  createContact: ({ marker }) => ({
    fullName: `Person ${marker}`,
    email: `${marker}@matrix.example`,
  }),
  createAccount: ({ marker, fixture: f }) => ({
    username: marker,
    parentId: f.A1.admin.id,
    password: strongPassword(),
  }),
  // The sub-account uses its own contact: moving it to the admin's is a change.
  updateAccount: ({ fixture: f }) => ({ contactId: f.A1.adminContactId }),
  reportUsage: ({ fixture: f, refused }) => ({
    reports: [{ accountId: refused ? f.A1.sub.id : f.spare.update.id, usedMb: 1024 }],
  }),
  login: ({ fixture: f }) => ({
    username: f.spare.login.username,
    password: f.spare.login.password,
  }),
  changePassword: ({ fixture: f, caller }) => ({
    // The caller's own current password where it has one, so a refusal is about the caller.
    currentPassword: f.sessionAccounts[caller.name]?.password ?? 'not the password at all',
    newPassword: strongPassword('Changed'),
  }),
  recover: ({ fixture: f }) => ({
    username: f.spare.recover.username,
    secretAnswer: f.spare.recover.secretAnswer,
    newPassword: strongPassword('Recovered'),
  }),
  updateMe: () => ({ userQuotaMb: 2048 }),
  createApiKey: ({ marker }) => ({ name: `Key ${marker}`, scope: 'full' }),
  createStaff: ({ marker }) => ({
    email: `${marker}@matrix.example`,
    fullName: `Person ${marker}`,
    role: 'billing',
  }),
  updateStaff: () => ({ role: 'operator' }),
  staffLogin: () => ({ email: staffSignIn.email, password: staffSignIn.password }),
  // Every staff caller is enrolled already, so no code is ever checked.
  confirmMfa: () => ({ code: '000000' }),
  createWebhook: () => ({ url: 'https://93.184.216.34/hooks' }),
  updateWebhook: () => ({ description: 'Changed by the matrix' }),
  suspendCompany: () => ({ reason: 'manual' }),
  reactivateCompany: () => ({ reason: 'manual' }),
  suspendAccount: () => ({ reason: 'abuse' }),
  reactivateAccount: () => ({ reason: 'abuse' }),
};

/**
 * The ids a path names. Refused cases name the fixture's own objects (A1, its sub-account and
 * contact), so that one carried out would show; served cases that destroy or change name
 * throwaway objects of the same tenant.
 */
function pathParams(operation: Operation, c: Context): Record<string, string> {
  const f = c.fixture;
  const params: Record<string, string> = {
    companyId: f.A1.id,
    accountId: f.A1.sub.id,
    contactId: f.A1.contact.id,
    keyId: f.readKeyId,
    // A refused case names a member that would show a change.
    staffId: f.spareStaff.update,
    webhookId: f.webhook.id,
    deliveryId: f.webhook.deliveryId,
  };
  if (c.refused) return params;
  const byPartner = c.caller.name === 'partner';
  switch (operation.operationId) {
    case 'revokeApiKey':
      return { ...params, keyId: f.spareKeyId };
    case 'deleteWebhook':
      return {
        ...params,
        webhookId:
          c.caller.name === 'staff owner' ? f.webhook.removeByOwner : f.webhook.removeByAdmin,
      };
    case 'removeStaff':
      return {
        ...params,
        staffId:
          c.caller.name === 'staff owner' ? f.spareStaff.removeByOwner : f.spareStaff.removeByAdmin,
      };
    case 'updateCompany':
    case 'cancelCompany':
      return { ...params, companyId: f.A3.id };
    case 'updateAccount':
      return { ...params, accountId: f.spare.update.id };
    case 'cancelAccount':
      return {
        ...params,
        accountId: (byPartner ? f.spare.cancelByPartner : f.spare.cancelByAdmin).id,
      };
    case 'resetPassword':
      return {
        ...params,
        accountId: (byPartner ? f.spare.resetByPartner : f.spare.resetByAdmin).id,
      };
    // Suspended, these would refuse the company admins' writes of the cases after them.
    case 'suspendCompany':
    case 'reactivateCompany':
      return { ...params, companyId: f.A4.id };
    case 'suspendAccount':
    case 'reactivateAccount':
      // The partner's reset runs before these (declared earlier); no case after uses the account.
      return { ...params, accountId: f.spare.resetByPartner.id };
    default:
      return params;
  }
}

function fillPath(operation: Operation, params: Record<string, string>): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (!value) throw new Error(`${operation.operationId}: no id for the path parameter ${name}`);
    return value;
  });
}

/** The marks a served caller may read; a refused one may read none. */
function visibility(c: Context, f: Fixture): (mark: Mark) => boolean {
  if (c.refused) return () => false;
  if (c.caller.name === 'backup user') {
    // Its own account: its id and username, its company, parent and contact.
    const own = [f.A1.sub.id, f.A1.sub.username, f.A1.id, f.A1.admin.id, f.A1.contact.id];
    return (mark) => own.includes(mark.value) || mark.tenant === 'partnerA';
  }
  if (c.caller.name === 'storage service') {
    return (mark) => mark.value === f.spare.update.id;
  }
  return (mark) => mark.tenant !== 'secret' && c.caller.sees.includes(mark.tenant);
}

const describeReply = (reply: HttpReply) =>
  `${reply.status} ${reply.body?.code ?? ''} ${JSON.stringify(reply.body)?.slice(0, 300)}`.trim();

/** Runs one case; returns what went wrong, or null. */
async function runCase(item: Case): Promise<string | null> {
  const { operation, caller, expect: want } = item;
  const context: Context = {
    fixture,
    refused: want.refused,
    caller,
    marker: uniqueName(MARKER_PREFIX),
  };
  const body = operation.body ? BODIES[operation.operationId]?.(context) : undefined;
  const path = fillPath(operation, pathParams(operation, context));
  const token = fixture.tokens[caller.name];
  const headers = operation.idempotency ? { 'idempotency-key': context.marker } : undefined;
  results.cases++;
  let reply: HttpReply;
  try {
    reply = await call(operation.method, path, { token, body, headers });
  } catch (error) {
    return `${item.label}: the reply does not conform to the document: ${(error as Error).message}`;
  }
  const problems: string[] = [];
  const wanted = `${want.status}${want.code ? ` ${want.code}` : ''} (${want.why})`;
  if (reply.status !== want.status || (want.code && reply.body?.code !== want.code)) {
    problems.push(`expected ${wanted}, got ${describeReply(reply)}`);
  } else {
    results.asSpec++;
  }
  const foreign = foreignDataIn(reply.body, fixture.marks, visibility(context, fixture));
  if (foreign.length > 0) {
    results.foreign++;
    problems.push(
      `foreign data in the reply: ${foreign.map((m) => `${m.tenant} ${m.what}`).join(', ')}`,
    );
  }
  // A password changed: the caller's account now has the new one.
  if (operation.operationId === 'changePassword' && reply.status === 200) {
    const account = fixture.sessionAccounts[caller.name];
    if (account) account.password = (body as { newPassword: string }).newPassword;
  }
  return problems.length ? `${item.label}: ${problems.join('; ')}` : null;
}

async function runAll(cases: Case[]): Promise<string[]> {
  const failures: string[] = [];
  for (const item of cases) {
    const failure = await runCase(item);
    if (failure) failures.push(failure);
  }
  return failures;
}

/**
 * Items of the table by key that are the fixture's or could be a refused case's: under or naming
 * its partners, or holding a case's marker. Other test files write the same table meanwhile.
 */
async function tableState(): Promise<Map<string, Record<string, unknown>>> {
  const ours = [fixture.partnerA.partnerId, fixture.partnerB.partnerId];
  const state = new Map<string, Record<string, unknown>>();
  for (const item of await scanTable()) {
    const text = JSON.stringify(item);
    if (!ours.some((id) => text.includes(id)) && !text.includes(MARKER_PREFIX)) continue;
    state.set(`${String(item.PK)} | ${String(item.SK)}`, item);
  }
  return state;
}

/**
 * Every item added, removed or changed. The mailer marking an e-mail sent is not a change, nor
 * a key's last use being recorded (the authorizer does it for any call, served or refused).
 */
function differences(
  before: Map<string, Record<string, unknown>>,
  after: Map<string, Record<string, unknown>>,
): string[] {
  const found: string[] = [];
  for (const [key, item] of after) {
    const old = before.get(key);
    if (!old) found.push(`added ${key} (${String(item.entity)})`);
    else if (item.entity !== 'OUTBOX' && JSON.stringify(old) !== JSON.stringify(item)) {
      const changed = Object.keys({ ...old, ...item }).filter(
        (name) => JSON.stringify(old[name]) !== JSON.stringify(item[name]),
      );
      const keyUse = ['APIKEY', 'PARTNER_APIKEY'].includes(String(item.entity));
      if (keyUse && changed.join() === 'lastUsedAt') continue;
      found.push(`changed ${key}: ${changed.join(', ')}`);
    }
  }
  for (const key of before.keys()) if (!after.has(key)) found.push(`removed ${key}`);
  return found;
}

const byOperation = (cases: Case[]) =>
  OPERATIONS.map((operation) => ({
    operationId: operation.operationId,
    cases: cases.filter((c) => c.operation === operation),
  })).filter((group) => group.cases.length > 0);

const refusedCases = CASES.filter((c) => c.expect.refused);
// The password change ends the sessions it is made with: it comes last.
const servedCases = CASES.filter((c) => !c.expect.refused);
const servedGroups = [
  ...byOperation(servedCases).filter((g) => g.operationId !== 'changePassword'),
  ...byOperation(servedCases).filter((g) => g.operationId === 'changePassword'),
];

let before: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  fixture = await buildFixture();
  staffSignIn = await staffWithPassword(fixture.partnerA.partnerId, { role: 'billing' });
  before = await tableState();
}, 120_000);

afterAll(() => {
  console.log(
    `authorization: ${OPERATIONS.length} routes × ${CALLERS.length} callers = ${CASES.length} cases, ` +
      `${results.asSpec} as SPEC says, ${results.foreign} foreign data`,
  );
});

describe('the matrix is generated from the definitions', () => {
  it('has a valid body for every operation that takes one, for refused and served callers', () => {
    const invalid = CASES.filter((c) => c.operation.body).flatMap((c) => {
      const make = BODIES[c.operation.operationId];
      if (!make) return [`${c.operation.operationId}: no body in the matrix`];
      const context = { fixture, refused: c.expect.refused, caller: c.caller, marker: 'mx.x' };
      const parsed = c.operation.body?.safeParse(make(context));
      return parsed?.success ? [] : [`${c.label}: ${parsed?.error.message}`];
    });
    expect(invalid).toEqual([]);
  });

  it('tries every operation with every caller, and every expected status is one SPEC names', () => {
    expect(CASES.length).toBe(OPERATIONS.length * CALLERS.length);
    for (const c of CASES) {
      expect([200, 201, 202, 204, 401, 403, 404, 409]).toContain(c.expect.status);
    }
    // Each kind of answer is exercised, so a model answering everything alike would show.
    const statuses = new Set(CASES.map((c) => c.expect.status));
    for (const status of [401, 403, 404]) expect(statuses).toContain(status);
  });
  it('gives each staff role what SPEC §7 gives it', () => {
    const allows = (role: string, operation: Operation) =>
      operation.allow.includes(role as Operation['allow'][number]);
    const partnerOnly = (operation: Operation) =>
      ['/v1/staff', '/v1/api-keys', '/v1/webhooks'].some((prefix) =>
        operation.path.startsWith(prefix),
      );
    const staffOnly = (operation: Operation) => operation.path.startsWith('/v1/auth/mfa/');
    for (const operation of OPERATIONS) {
      const label = `${operation.method} ${operation.path}`;
      if (operation.allow.includes('anonymous')) continue;
      // Owners and admins: every partner route; the owner-only rules are the use cases'.
      expect(allows('admin', operation), label).toBe(allows('owner', operation));
      if (staffOnly(operation) || operation.operationId === 'changePassword') continue;
      expect(allows('owner', operation), label).toBe(
        allows('fullKey', operation) || partnerOnly(operation),
      );
      // Operators: provisioning as a full key has it; not staff, keys or webhooks.
      expect(allows('operator', operation), label).toBe(allows('fullKey', operation));
      // Billing: reads only, and of companies, accounts, usage, events and audit (and of its
      // own partner's name and ladder, which every caller of the partner reads).
      const billingReads =
        operation.method === 'GET' &&
        /^\/v1\/(companies|audit|events|partner$)/.test(operation.path) &&
        !operation.path.includes('/contacts');
      expect(allows('billing', operation), label).toBe(
        billingReads && allows('fullKey', operation),
      );
    }
  });

  it('serves a read key every GET a full key is served, and refuses it every write', () => {
    const of = (name: CallerName) => CASES.filter((c) => c.caller.name === name);
    const read = of('read key');
    const full = of('partner');
    for (const [index, c] of read.entries()) {
      const fullCase = full[index] as Case;
      const isPublic = c.operation.allow.includes('anonymous');
      if (c.operation.method === 'GET' || isPublic) {
        const { why: _readWhy, ...readAnswer } = c.expect;
        const { why: _fullWhy, ...fullAnswer } = fullCase.expect;
        expect(readAnswer, c.label).toEqual(fullAnswer);
      } else {
        expect(c.expect.status, c.label).toBe(403);
        expect(c.expect.refused).toBe(true);
      }
    }
    // Both kinds of answer occur, so the check above is not vacuous.
    expect(read.some((c) => !c.expect.refused)).toBe(true);
    expect(read.some((c) => c.expect.status === 403 && c.operation.method !== 'GET')).toBe(true);
  });
});

describe('refused callers get 401, 403 or 404 and change nothing', () => {
  it.each(byOperation(refusedCases))('$operationId', async ({ cases }) => {
    expect(await runAll(cases)).toEqual([]);
  });

  it('left every item of the table as it was', async () => {
    expect(differences(before, await tableState())).toEqual([]);
  });
});

describe('allowed callers are served on their own objects, with nothing of another tenant', () => {
  it.each(servedGroups)('$operationId', async ({ cases }) => {
    expect(await runAll(cases)).toEqual([]);
  });
});
