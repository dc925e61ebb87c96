/**
 * Every key of the table is built here and nowhere else.
 *
 * Tenant data lives under the partner: `PARTNER#<p>` holds the partner's companies and its API
 * keys' listing, and each company's children (accounts, contacts, parent-per-plan markers) sit in
 * their own partition `PARTNER#<p>#COMPANY#<c>`, so one company's accounts are one Query and a
 * partner's company list never reads accounts. The few global items are the ones that must be
 * global: username markers (usernames are unique across partners), API-key hashes, account
 * references for the storage service, and outbox items.
 */
import type { PlanName } from '#lib/rules/plans.ts';

export interface Key {
  PK: string;
  SK: string;
}

export const ENTITY = {
  partner: 'PARTNER',
  apiKey: 'APIKEY',
  partnerApiKey: 'PARTNER_APIKEY',
  staff: 'STAFF',
  staffEmail: 'STAFF_EMAIL',
  company: 'COMPANY',
  contact: 'CONTACT',
  account: 'ACCOUNT',
  accountRef: 'ACCOUNT_REF',
  username: 'USERNAME',
  parentMarker: 'PARENT_MARKER',
  outbox: 'OUTBOX',
  audit: 'AUDIT',
  event: 'EVENT',
  webhook: 'WEBHOOK',
  webhookDelivery: 'WEBHOOK_DELIVERY',
  attempts: 'ATTEMPTS',
  jobState: 'JOB_STATE',
} as const;

/** The table's own attribute names: keys, index keys, the item's kind and the TTL. */
export const ATTRIBUTE = {
  pk: 'PK',
  sk: 'SK',
  entity: 'entity',
  trialDuePk: 'TrialDuePK',
  trialDueSk: 'TrialDueSK',
  companyAuditPk: 'CompanyAuditPK',
  apiKeyIdPk: 'ApiKeyIdPK',
  /** On a test event's item: the one webhook endpoint it goes to. */
  onlyWebhookId: 'onlyWebhookId',
  webhookDuePk: 'WebhookDuePK',
  webhookDueSk: 'WebhookDueSK',
  /** The table's TTL attribute (epoch seconds). */
  expiresAt: 'expiresAt',
} as const;

/** The table's secondary indexes, by name and key attributes. */
export const INDEX = {
  /** Sparse: open trials, filed under the day their next stage is due. */
  trialDue: { name: 'TrialDue', partition: ATTRIBUTE.trialDuePk, sort: ATTRIBUTE.trialDueSk },
  /** Sparse: audit entries about a company, for its company admin. */
  companyAudit: { name: 'CompanyAudit', partition: ATTRIBUTE.companyAuditPk, sort: ATTRIBUTE.sk },
  /** Sparse: a partner's API key by its id alone, for the operator's revoke. */
  apiKeyById: { name: 'ApiKeyById', partition: ATTRIBUTE.apiKeyIdPk },
  /** Sparse: webhook deliveries waiting for a retry, by the time it is due. */
  webhookDue: {
    name: 'WebhookDue',
    partition: ATTRIBUTE.webhookDuePk,
    sort: ATTRIBUTE.webhookDueSk,
  },
} as const;

const partnerPk = (partnerId: string) => `PARTNER#${partnerId}`;
const companyPk = (partnerId: string, companyId: string) =>
  `PARTNER#${partnerId}#COMPANY#${companyId}`;

/** Powertools idempotency records: its own partition, expiring through the table's TTL. */
export const IDEMPOTENCY = {
  partition: 'IDEMPOTENCY',
  expiryAttribute: ATTRIBUTE.expiresAt,
  attributes: {
    inProgressExpiry: 'inProgressExpiresAt',
    status: 'idempotencyStatus',
    data: 'response',
    payloadHash: 'payloadHash',
  },
} as const;

export const TRIAL_INDEX = INDEX.trialDue.name;

export const keys = {
  idempotencyPartition: () => IDEMPOTENCY.partition,
  partner: (partnerId: string): Key => ({ PK: partnerPk(partnerId), SK: 'PARTNER' }),
  /** Global: what the authorizer reads, found by the key's SHA-256 hash. */
  apiKey: (keyHash: string): Key => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  /** The same key as its partner lists it, in the partner's own partition. */
  partnerApiKey: (partnerId: string, keyId: string): Key => ({
    PK: partnerPk(partnerId),
    SK: `APIKEY#${keyId}`,
  }),
  apiKeysOf: (partnerId: string) => ({ PK: partnerPk(partnerId), skPrefix: 'APIKEY#' }),
  /** The ApiKeyById index key a listing item carries. */
  apiKeyById: (keyId: string) => ({ ApiKeyIdPK: `APIKEY#${keyId}` }),

  /** A partner's staff member, in the partner's partition: its staff are one Query. */
  staff: (partnerId: string, staffId: string): Key => ({
    PK: partnerPk(partnerId),
    SK: `STAFF#${staffId}`,
  }),
  staffOf: (partnerId: string) => ({ PK: partnerPk(partnerId), skPrefix: 'STAFF#' }),
  /** Global: a staff e-mail (lower-cased) is unique among all staff, and finds its holder. */
  staffEmail: (email: string): Key => ({ PK: `STAFF_EMAIL#${email}`, SK: 'STAFF_EMAIL' }),

  company: (partnerId: string, companyId: string): Key => ({
    PK: partnerPk(partnerId),
    SK: `COMPANY#${companyId}`,
  }),
  companiesOf: (partnerId: string) => ({ PK: partnerPk(partnerId), skPrefix: 'COMPANY#' }),

  contact: (partnerId: string, companyId: string, contactId: string): Key => ({
    PK: companyPk(partnerId, companyId),
    SK: `CONTACT#${contactId}`,
  }),
  contactsOf: (partnerId: string, companyId: string) => ({
    PK: companyPk(partnerId, companyId),
    skPrefix: 'CONTACT#',
  }),

  account: (partnerId: string, companyId: string, accountId: string): Key => ({
    PK: companyPk(partnerId, companyId),
    SK: `ACCOUNT#${accountId}`,
  }),
  accountsOf: (partnerId: string, companyId: string) => ({
    PK: companyPk(partnerId, companyId),
    skPrefix: 'ACCOUNT#',
  }),
  /** Marks the plan's parent account: one per plan per company. */
  parentMarker: (partnerId: string, companyId: string, plan: PlanName): Key => ({
    PK: companyPk(partnerId, companyId),
    SK: `PARENT#${plan}`,
  }),

  /** Global: a username is reserved forever, across partners. */
  username: (username: string): Key => ({ PK: `USERNAME#${username}`, SK: 'USERNAME' }),
  /** Global: lets the storage service, which knows only account ids, find the tenant path. */
  accountRef: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'REF' }),

  outbox: (messageId: string): Key => ({ PK: `OUTBOX#${messageId}`, SK: 'OUTBOX' }),

  /** Sparse index entry of an open trial, filed under the day its next stage is due. */
  trialDue: (day: string, dueAt: string, accountId: string) => ({
    TrialDuePK: `TRIAL#${day}`,
    TrialDueSK: `${dueAt}#${accountId}`,
  }),
  trialDueDay: (day: string) => `TRIAL#${day}`,
  /** Upper bound of the sort keys due at or before `nowIso` (ISO strings sort by time). */
  trialDueUpTo: (nowIso: string) => `${nowIso}#~`,
  trialJobState: (): Key => ({ PK: 'JOB#TRIALS', SK: 'STATE' }),

  audit: (partnerId: string, entryId: string): Key => ({
    PK: `${partnerPk(partnerId)}#AUDIT`,
    SK: `AUDIT#${entryId}`,
  }),
  auditOf: (partnerId: string) => ({ PK: `${partnerPk(partnerId)}#AUDIT`, skPrefix: 'AUDIT#' }),
  /** A partner's event feed, oldest first by id: its own partition, apart from the audit log. */
  event: (partnerId: string, eventId: string): Key => ({
    PK: `${partnerPk(partnerId)}#EVENTS`,
    SK: `EVENT#${eventId}`,
  }),
  eventsOf: (partnerId: string) => ({ PK: `${partnerPk(partnerId)}#EVENTS`, skPrefix: 'EVENT#' }),
  /** A partner's webhook endpoints: one partition, so a fan-out reads them in one Query. */
  webhook: (partnerId: string, webhookId: string): Key => ({
    PK: `${partnerPk(partnerId)}#WEBHOOKS`,
    SK: `WEBHOOK#${webhookId}`,
  }),
  webhooksOf: (partnerId: string) => ({
    PK: `${partnerPk(partnerId)}#WEBHOOKS`,
    skPrefix: 'WEBHOOK#',
  }),
  /** One event sent to one endpoint, under the endpoint; its id is the event's. */
  webhookDelivery: (partnerId: string, webhookId: string, deliveryId: string): Key => ({
    PK: `${partnerPk(partnerId)}#WEBHOOK#${webhookId}#DELIVERIES`,
    SK: `DELIVERY#${deliveryId}`,
  }),
  webhookDeliveriesOf: (partnerId: string, webhookId: string) => ({
    PK: `${partnerPk(partnerId)}#WEBHOOK#${webhookId}#DELIVERIES`,
    skPrefix: 'DELIVERY#',
  }),
  /**
   * The WebhookDue index key of a delivery waiting for a retry. One partition: the sweeper
   * reads everything due up to now in one ordered Query.
   */
  webhookDue: (dueAt: string, partnerId: string, webhookId: string, deliveryId: string) => ({
    WebhookDuePK: 'WEBHOOK_DUE',
    WebhookDueSK: `${dueAt}#${partnerId}#${webhookId}#${deliveryId}`,
  }),
  webhookDuePartition: () => 'WEBHOOK_DUE',
  /** Upper bound of the due sort keys at or before `nowIso`. */
  webhookDueUpTo: (nowIso: string) => `${nowIso}#~`,

  /** The CompanyAudit index key an audit entry about a company carries. */
  companyAudit: (partnerId: string, companyId: string) => ({
    CompanyAuditPK: `${companyPk(partnerId, companyId)}#AUDIT`,
  }),

  /**
   * Global: failed logins or recovery attempts of one username (which may not exist), under a
   * keyed digest of the username as typed.
   */
  attempts: (kind: 'login' | 'recover', usernameDigest: string): Key => ({
    PK: `ATTEMPTS#${kind}#${usernameDigest}`,
    SK: 'ATTEMPTS',
  }),
  /**
   * Global: the attempts at one username from one source address, and whether that source is
   * trusted for it, under a keyed digest of both.
   */
  attemptsFrom: (kind: 'login' | 'recover', usernameSourceDigest: string): Key => ({
    PK: `ATTEMPTS#${kind}#FROM#${usernameSourceDigest}`,
    SK: 'ATTEMPTS',
  }),
};
