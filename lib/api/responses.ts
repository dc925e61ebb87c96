/**
 * One zod schema per object and envelope the service returns (SPEC §3), the source of the
 * response types in lib/model.ts and lib/provisioning: those modules import them as types only,
 * so no function bundle carries these schemas; the OpenAPI document and the tests use them.
 *
 * Objects are strict, so a reply that gains, loses or changes a field fails validation. Each
 * schema is registered in zod's global registry with the id it has in the document
 * (`#/components/schemas/<id>`); a schema nested in another one becomes a `$ref` to it.
 */
import * as z from 'zod/mini';
import { EVENT_TYPES, type EventType } from '#lib/rules/events.ts';
import { PLAN_NAMES } from '#lib/rules/plans.ts';
import { SUSPENSION_REASONS } from '#lib/rules/suspension.ts';

/** Built in a call marked pure, like lib/schemas.ts: a bundle that uses none constructs none. */
const schema = <T>(build: () => T): T => build();

type Component = z.core.GlobalMeta & { id: string; description: string };

const component = <S extends z.ZodMiniType>(s: S, meta: Component): S => {
  z.globalRegistry.add(s, meta);
  return s;
};

/** The ids the service makes are ULIDs. */
const id = () => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/));
/** Timestamps as `Date#toISOString()` writes them (UTC, milliseconds). */
const timestamp = () => z.iso.datetime();
/** Whole MB; quantities that cannot go below zero. */
const mb = () => z.number().check(z.int(), z.gte(0));
const count = () => z.number().check(z.int(), z.gte(0));
/** A quota in whole MB, or null for unlimited. */
const quota = () => z.nullable(z.number().check(z.int()));
/** A percentage with one decimal; null when the quota is unlimited. Above 100 when over quota. */
const percent = () => z.nullable(z.number().check(z.gte(0)));
const nextCursor = () => z.nullable(z.string().check(z.minLength(1)));

const planEnum = () => z.enum(PLAN_NAMES);
const accountStatusEnum = () => z.enum(['active', 'expired', 'cancelled']);
const accountKindEnum = () => z.enum(['parent', 'sub']);
const licenses = () => z.strictObject({ egr: count(), spV5: count() });
const suspensionReason = () => z.enum(SUSPENSION_REASONS);
const alertLevel = () => z.union([z.literal(0), z.literal(80), z.literal(90), z.literal(100)]);
/** SPEC §2.8: why and since when the object is suspended; null while it is not. */
const suspension = () =>
  z.nullable(
    z.strictObject({
      reasons: z.array(suspensionReason()).check(z.minLength(1)),
      since: timestamp(),
    }),
  );

export const featuresResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      openFileBackupOnServers: z.boolean(),
      versioning: z.boolean(),
      endGuard: z.boolean(),
      egrLicenses: count(),
      spV5Licenses: count(),
      backupsAllowed: z.boolean(),
    }),
    {
      id: 'Features',
      description:
        "What the account's plan and its company's add-ons give the backup agent (SPEC §2.1); backupsAllowed is false unless the account is active and neither it nor its company is suspended.",
    },
  ),
);

export const companyResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      name: z.string(),
      quotaMb: quota(),
      allocatedMb: mb(),
      freeMb: z.nullable(z.number().check(z.int())),
      usedMb: mb(),
      accountCount: count(),
      licenses: licenses(),
      endGuard: z.boolean(),
      status: z.enum(['active', 'cancelled']),
      suspension: suspension(),
      alertLevel: alertLevel(),
      adminAccountId: id(),
      createdAt: timestamp(),
      updatedAt: timestamp(),
    }),
    {
      id: 'Company',
      description:
        'A company: its storage pool (quotaMb, null when it has none), what its accounts are allocated and use, its add-ons, its suspension and the quota alert level of its pool.',
    },
  ),
);

export const accountResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      companyId: id(),
      username: z.string(),
      kind: accountKindEnum(),
      parentId: z.nullable(id()),
      plan: planEnum(),
      contactId: id(),
      status: accountStatusEnum(),
      hardQuotaMb: quota(),
      userQuotaMb: quota(),
      effectiveQuotaMb: quota(),
      usedMb: mb(),
      percentUsed: percent(),
      ultraSafe: z.boolean(),
      hasSecretQuestion: z.boolean(),
      mustChangePassword: z.boolean(),
      trialEndsAt: z.nullable(timestamp()),
      suspension: suspension(),
      alertLevel: alertLevel(),
      features: featuresResponse,
      createdAt: timestamp(),
      updatedAt: timestamp(),
    }),
    {
      id: 'Account',
      description:
        "A backup account (a parent or a sub-account) with its quotas, usage, trial end, suspension (its own reasons with its company's) and quota alert level, and features; never its password or secret answer.",
    },
  ),
);

export const contactResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      companyId: id(),
      fullName: z.string(),
      email: z.string(),
      phone: z.nullable(z.string()),
      createdAt: timestamp(),
    }),
    { id: 'Contact', description: 'A contact of a company; accounts are e-mailed through theirs.' },
  ),
);

export const staffResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      email: z.string(),
      fullName: z.string(),
      role: z.enum(['owner', 'admin', 'operator', 'billing']),
      status: z.enum(['active', 'removed']),
      mfaEnabled: z.boolean(),
      createdAt: timestamp(),
      updatedAt: timestamp(),
    }),
    { id: 'Staff', description: "A member of the partner's staff, who signs in with a role." },
  ),
);

const list = <S extends z.ZodMiniType>(item: S) =>
  z.strictObject({ items: z.array(item), nextCursor: nextCursor() });
const LIST = 'A page of a list, newest last unless said otherwise; nextCursor is null on the last.';

export const companyListResponse = /* @__PURE__ */ schema(() =>
  component(list(companyResponse), { id: 'CompanyList', description: LIST }),
);
export const accountListResponse = /* @__PURE__ */ schema(() =>
  component(list(accountResponse), { id: 'AccountList', description: LIST }),
);
export const contactListResponse = /* @__PURE__ */ schema(() =>
  component(list(contactResponse), { id: 'ContactList', description: LIST }),
);

const apiKeyFields = () => ({
  id: id(),
  name: z.string(),
  scope: z.enum(['full', 'read']),
  prefix: z.string(),
  createdAt: timestamp(),
  createdBy: z.string(),
  lastUsedAt: z.nullable(timestamp()),
  revokedAt: z.nullable(timestamp()),
});

export const apiKeyResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject(apiKeyFields()), {
    id: 'ApiKey',
    description:
      "One of the partner's API keys, never the key itself: createdBy is operator or staff:<id>; lastUsedAt is recorded at most once a minute.",
  }),
);

export const createdApiKeyResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject({ ...apiKeyFields(), key: z.string().check(z.minLength(20)) }), {
    id: 'CreatedApiKey',
    description: 'A new API key: `key` is shown in this reply only and stored as a hash.',
  }),
);

export const apiKeyListResponse = /* @__PURE__ */ schema(() =>
  component(list(apiKeyResponse), {
    id: 'ApiKeyList',
    description: "A page of the partner's API keys, oldest first, revoked ones included.",
  }),
);

const webhookFields = () => ({
  id: id(),
  url: z.string(),
  eventTypes: z.nullable(z.array(z.enum(EVENT_TYPES))),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  disabledReason: z.nullable(z.enum(['gone', 'failing'])),
  failingSince: z.nullable(timestamp()),
  previousSecretExpiresAt: z.nullable(timestamp()),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

export const webhookResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject(webhookFields()), {
    id: 'Webhook',
    description:
      'A webhook endpoint, never its secret: eventTypes null means every type; disabledReason gone (it answered 410) or failing (nothing delivered for 5 days); previousSecretExpiresAt is when the secret before the last rotation stops signing.',
  }),
);

export const webhookWithSecretResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      ...webhookFields(),
      secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]+$/)),
    }),
    {
      id: 'WebhookWithSecret',
      description:
        'An endpoint with its signing secret (Standard Webhooks `whsec_…`), shown in this reply only and stored encrypted.',
    },
  ),
);

export const webhookListResponse = /* @__PURE__ */ schema(() =>
  component(list(webhookResponse), {
    id: 'WebhookList',
    description: "A page of the partner's webhook endpoints, oldest first.",
  }),
);

export const webhookDeliveryResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      webhookId: id(),
      eventId: id(),
      eventType: z.enum(EVENT_TYPES),
      status: z.enum(['pending', 'delivered', 'given_up', 'endpoint_disabled']),
      attempts: count(),
      lastAttemptAt: z.nullable(timestamp()),
      lastResponseStatus: z.nullable(z.number().check(z.int())),
      lastError: z.nullable(z.string()),
      nextAttemptAt: z.nullable(timestamp()),
      createdAt: timestamp(),
      updatedAt: timestamp(),
    }),
    {
      id: 'WebhookDelivery',
      description:
        'One event sent to one endpoint: its id is the event id, sent as `webhook-id` on every attempt; lastResponseStatus is null when no answer came (timeout, refused address, connection error: see lastError).',
    },
  ),
);

export const webhookDeliveryListResponse = /* @__PURE__ */ schema(() =>
  component(list(webhookDeliveryResponse), {
    id: 'WebhookDeliveryList',
    description: "A page of an endpoint's deliveries, newest first.",
  }),
);

export const staffListResponse = /* @__PURE__ */ schema(() =>
  component(list(staffResponse), { id: 'StaffList', description: LIST }),
);

export const auditEntryResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      at: timestamp(),
      actor: z.string(),
      actingAs: z.nullable(z.string()),
      action: z.string(),
      targetType: z.enum(['company', 'account', 'contact', 'usage', 'apiKey', 'staff', 'webhook']),
      targetId: z.string(),
      companyId: z.nullable(id()),
      details: z.record(z.string(), z.unknown()),
    }),
    {
      id: 'AuditEntry',
      description:
        'One mutation: who acted (e.g. partner:<id>, account:<id>, system:trial-job), on whose behalf (e.g. admin-of-company:<id>), what, on what, when.',
    },
  ),
);

export const auditListResponse = /* @__PURE__ */ schema(() =>
  component(list(auditEntryResponse), {
    id: 'AuditList',
    description: 'A page of the audit log, newest first; nextCursor is null on the last.',
  }),
);

/** The envelope every event shares (SPEC §9); `data` is the type's own. */
const eventEnvelope = () => ({
  id: id(),
  occurredAt: timestamp(),
  partnerId: id(),
  companyId: z.nullable(id()),
  accountId: z.nullable(id()),
  actor: z.string(),
});

/** The component name of an event type's schema: `company.created` → `CompanyCreatedEvent`. */
export const eventSchemaName = (type: EventType): string =>
  `${type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}Event`;

const eventOf = <T extends EventType, D extends z.ZodMiniType>(
  type: T,
  data: D,
  description: string,
) =>
  component(z.strictObject({ ...eventEnvelope(), type: z.literal(type), data }), {
    id: eventSchemaName(type),
    description,
  });

/** One schema per event type, as the feed lists it and a webhook delivers it. */
export const eventSchemas = /* @__PURE__ */ schema(() => {
  const company = () => z.strictObject({ company: companyResponse });
  const account = () => z.strictObject({ account: accountResponse });
  const quota = () =>
    z.strictObject({
      subject: z.enum(['account', 'company']),
      level: alertLevel(),
      previousLevel: alertLevel(),
      usedMb: mb(),
      quotaMb: mb(),
      percentUsed: z.number().check(z.gte(0)),
    });
  return [
    eventOf('company.created', company(), 'A company was created (with its admin account).'),
    eventOf('company.updated', company(), 'A company was renamed, resized or its add-ons changed.'),
    eventOf(
      'company.suspended',
      z.strictObject({ company: companyResponse, reason: suspensionReason() }),
      'A reason was added to a company’s suspension.',
    ),
    eventOf(
      'company.reactivated',
      z.strictObject({ company: companyResponse, reason: suspensionReason() }),
      'A reason was taken from a company’s suspension.',
    ),
    eventOf('company.cancelled', company(), 'A company and all its accounts were cancelled.'),
    eventOf('account.created', account(), 'A backup account was created.'),
    eventOf(
      'account.updated',
      account(),
      'An account was resized, moved to another paid plan or given another contact.',
    ),
    eventOf(
      'account.suspended',
      z.strictObject({ account: accountResponse, reason: suspensionReason() }),
      'A reason was added to an account’s suspension.',
    ),
    eventOf(
      'account.reactivated',
      z.strictObject({ account: accountResponse, reason: suspensionReason() }),
      'A reason was taken from an account’s suspension.',
    ),
    eventOf(
      'account.cancelled',
      account(),
      'An account (and a parent’s sub-accounts) was cancelled.',
    ),
    eventOf(
      'trial.reminder_sent',
      z.strictObject({ account: accountResponse, daysLeft: count() }),
      'A trial reminder was e-mailed to the account’s contact.',
    ),
    eventOf('trial.expired', account(), 'A trial ended: its backups are paused.'),
    eventOf('trial.extended', account(), 'A trial was given a later end.'),
    eventOf('trial.converted', account(), 'A trial was converted to a paid plan.'),
    eventOf('quota.threshold_crossed', quota(), 'Use rose past an alert level (80, 90, 100 %).'),
    eventOf('quota.recovered', quota(), 'Use fell 5 points below the alert level it had reached.'),
    eventOf(
      'password.reset_sent',
      account(),
      'A new temporary password was issued and e-mailed to the account’s contact.',
    ),
    eventOf('webhook.test', z.strictObject({ webhookId: id() }), 'A test event, sent on request.'),
  ] as const;
});

export const eventResponse = /* @__PURE__ */ schema(() =>
  component(z.discriminatedUnion('type', [...eventSchemas]), {
    id: 'Event',
    description:
      'Something that changed (SPEC §9), written in the same transaction as the change: its type, when, about what, by whom, and the object as the change left it.',
  }),
);

export const eventListResponse = /* @__PURE__ */ schema(() =>
  component(list(eventResponse), {
    id: 'EventList',
    description:
      'A page of the event feed, oldest first; nextCursor (an event id) is null once the feed is read to its end.',
  }),
);

export const usageRowResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      accountId: id(),
      username: z.string(),
      kind: accountKindEnum(),
      plan: planEnum(),
      status: accountStatusEnum(),
      sizeMb: quota(),
      usedMb: mb(),
      percentUsed: percent(),
    }),
    {
      id: 'UsageRow',
      description:
        'One account of the usage table (never a cancelled one): its size is its effective quota, null when unlimited.',
    },
  ),
);

export const usageTableResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      companyId: id(),
      companyName: z.string(),
      items: z.array(usageRowResponse),
      nextCursor: nextCursor(),
      totals: z.strictObject({
        accounts: count(),
        sizeMb: quota(),
        usedMb: mb(),
        percentUsed: percent(),
      }),
    }),
    {
      id: 'UsageTable',
      description:
        'The Backup Account Usage table: a page of accounts; the totals cover every account not cancelled, and their size is null as soon as one is unlimited.',
    },
  ),
);

export const createdCompanyResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      company: companyResponse,
      account: accountResponse,
      contact: contactResponse,
    }),
    {
      id: 'CreatedCompany',
      description: 'A new company with its admin account and first contact.',
    },
  ),
);

export const createdAccountResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject({ account: accountResponse, contact: contactResponse }), {
    id: 'CreatedAccount',
    description: 'A new account with its contact (new or existing).',
  }),
);

/** A compact JWS (JWT): header, claims and signature. */
const token = () => z.string().check(z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/));

export const sessionResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      token: token(),
      expiresAt: timestamp(),
      role: z.enum(['companyAdmin', 'backupUser']),
      mustChangePassword: z.boolean(),
    }),
    {
      id: 'Session',
      description:
        'A session from a login or a password change. While mustChangePassword is true, the only call it may make is POST /v1/auth/password.',
    },
  ),
);

export const partnerResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      id: id(),
      name: z.string(),
      fineIncrements: z.boolean(),
      ladder: z.strictObject({
        rungsGb: z.array(z.number().check(z.int(), z.gte(1))),
        stepGbAbove100: z.number().check(z.int(), z.gte(1)),
      }),
    }),
    {
      id: 'Partner',
      description:
        "The caller's partner: its name and the storage ladder its pools and pooled accounts use (SPEC §2.3): the rungs, then multiples of the step above 100 GB.",
    },
  ),
);

export const staffSessionResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      token: token(),
      expiresAt: timestamp(),
      role: z.enum(['owner', 'admin', 'operator', 'billing']),
      mustChangePassword: z.boolean(),
      mfaEnrolled: z.boolean(),
    }),
    {
      id: 'StaffSession',
      description:
        "A staff member's session from a staff login or a password change. While mustChangePassword is true it may only change the password; while mfaEnrolled is false, only that and TOTP enrolment.",
    },
  ),
);

export const passwordChangeSessionResponse = /* @__PURE__ */ schema(() =>
  component(z.union([sessionResponse, staffSessionResponse]), {
    id: 'PasswordChangeSession',
    description:
      "The new session a password change answers: an account's (Session) or a staff member's (StaffSession).",
  }),
);

export const mfaSetupResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      otpauthUrl: z.string().check(z.regex(/^otpauth:\/\/totp\//)),
      secret: z.string().check(z.regex(/^[A-Z2-7]+=*$/)),
    }),
    {
      id: 'MfaSetup',
      description:
        'A new TOTP secret (RFC 6238: SHA-1, 30 s, 6 digits) to enrol in an authenticator app, in this reply only; confirm it with a code.',
    },
  ),
);

export const recoveryCodesResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      recoveryCodes: z
        .array(z.string().check(z.regex(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/)))
        .check(z.length(10)),
    }),
    {
      id: 'RecoveryCodes',
      description:
        'Ten one-time recovery codes, each usable once in place of a TOTP code; shown in this reply only and stored hashed.',
    },
  ),
);

export const impersonationResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject({ token: token(), expiresAt: timestamp(), companyId: id() }), {
    id: 'Impersonation',
    description:
      'A company-admin session of at most one hour held by the partner ("login as company admin").',
  }),
);

export const usageReportResultResponse = /* @__PURE__ */ schema(() =>
  component(z.strictObject({ accepted: count(), unknownAccountIds: z.array(id()) }), {
    id: 'UsageReportResult',
    description:
      'How many of the reported accounts exist (each counted once), and the ids that name none.',
  }),
);

const optionalInt = () => z.optional(z.number().check(z.int()));

export const problemResponse = /* @__PURE__ */ schema(() =>
  component(
    z.strictObject({
      type: z.url(),
      title: z.string(),
      status: z.number().check(z.int(), z.gte(400), z.lte(599)),
      code: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/)),
      detail: z.string(),
      errors: z.array(z.strictObject({ path: z.string(), message: z.string() })),
      freeMb: optionalInt(),
      requestedMb: optionalInt(),
      nearestMb: z.optional(z.array(z.number().check(z.int()))),
      usedMb: optionalInt(),
      allocatedMb: optionalInt(),
      retryAfterSeconds: optionalInt(),
      subAccounts: optionalInt(),
      maxSubAccounts: optionalInt(),
    }),
    {
      id: 'Problem',
      description:
        'An RFC 9457 problem document; code is stable, errors name the fields at fault, and some codes add the members that explain them.',
    },
  ),
);

export const openApiDocumentResponse = /* @__PURE__ */ schema(() =>
  component(
    z.looseObject({
      openapi: z.string().check(z.regex(/^3\.1\./)),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      paths: z.record(z.string(), z.unknown()),
    }),
    { id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document: this one.' },
  ),
);

/**
 * Every response schema by its id in the document. Its keys are checked against the registered
 * ids by a test.
 */
export const responseSchemas = /* @__PURE__ */ schema(() => ({
  Company: companyResponse,
  Account: accountResponse,
  Contact: contactResponse,
  Features: featuresResponse,
  CompanyList: companyListResponse,
  AccountList: accountListResponse,
  ContactList: contactListResponse,
  Staff: staffResponse,
  StaffList: staffListResponse,
  AuditEntry: auditEntryResponse,
  AuditList: auditListResponse,
  Event: eventResponse,
  EventList: eventListResponse,
  ApiKey: apiKeyResponse,
  CreatedApiKey: createdApiKeyResponse,
  ApiKeyList: apiKeyListResponse,
  Webhook: webhookResponse,
  WebhookWithSecret: webhookWithSecretResponse,
  WebhookList: webhookListResponse,
  WebhookDelivery: webhookDeliveryResponse,
  WebhookDeliveryList: webhookDeliveryListResponse,
  UsageRow: usageRowResponse,
  UsageTable: usageTableResponse,
  CreatedCompany: createdCompanyResponse,
  CreatedAccount: createdAccountResponse,
  Session: sessionResponse,
  Partner: partnerResponse,
  StaffSession: staffSessionResponse,
  PasswordChangeSession: passwordChangeSessionResponse,
  MfaSetup: mfaSetupResponse,
  RecoveryCodes: recoveryCodesResponse,
  Impersonation: impersonationResponse,
  UsageReportResult: usageReportResultResponse,
  Problem: problemResponse,
  OpenApiDocument: openApiDocumentResponse,
}));

export type ResponseName = keyof typeof responseSchemas;

/** The body of each response, by its id in the document. */
export type ResponseBodies = {
  [K in ResponseName]: z.output<(typeof responseSchemas)[K]>;
};
