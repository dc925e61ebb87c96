/**
 * A partner's webhook endpoints (SPEC §9): registered, changed, removed, their secrets
 * rotated and a test event sent, each audited in the same write. A signing secret is in the
 * reply that makes it only; it is stored sealed.
 */
import { ulid } from 'ulid';
import { seal } from '#lib/auth/sealed.ts';
import { conflict, notFound, validationFailed, webhookDisabled } from '#lib/errors.ts';
import type { EventType } from '#lib/rules/events.ts';
import { ROTATION_OVERLAP_MS } from '#lib/rules/webhooks.ts';
import { type DomainEvent, testEventStep } from '#lib/store/events.ts';
import type { Page } from '#lib/store/table.ts';
import { transact } from '#lib/store/table.ts';
import {
  deleteWebhook,
  getWebhook,
  listWebhooks,
  putNewWebhook,
  replaceWebhook,
  type StoredSecret,
  type Webhook,
  WebhookChangedError,
} from '#lib/store/webhooks.ts';
import { checkTarget, type Resolve } from '#lib/webhooks/send.ts';
import { newWebhookSecret } from '#lib/webhooks/sign.ts';
import { audit } from './audit.ts';
import { newEvent } from './events.ts';
import type { TenantScope } from './scope.ts';

/** What `seal` calls the secrets' key; the endpoint's id is bound to each sealed secret. */
export const WEBHOOK_SECRET_PURPOSE = 'webhook-secret';

/** An endpoint as its partner sees it: never a secret. */
export interface WebhookView {
  id: string;
  url: string;
  eventTypes: EventType[] | null;
  description: string | null;
  enabled: boolean;
  disabledReason: Webhook['disabledReason'];
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The secrets that still sign at `now`, the current first. */
export const signingSecrets = (webhook: Webhook, now: Date): StoredSecret[] =>
  webhook.secrets.filter(
    (secret) => secret.expiresAt === null || Date.parse(secret.expiresAt) > now.getTime(),
  );

export function webhookView(webhook: Webhook, now = new Date()): WebhookView {
  const previous = signingSecrets(webhook, now)
    .map((secret) => secret.expiresAt)
    .filter((at): at is string => at !== null)
    .sort();
  return {
    id: webhook.id,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    description: webhook.description,
    enabled: webhook.enabled,
    disabledReason: webhook.disabledReason,
    failingSince: webhook.failingSince,
    previousSecretExpiresAt: previous.at(-1) ?? null,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

export interface WebhookDeps {
  /** How the URL's host is resolved for its address check; tests inject their own. */
  resolve?: Resolve;
}

/** A URL refused by the address rules is a 400 naming the field. */
async function checkUrl(url: string, deps: WebhookDeps): Promise<void> {
  const checked = await checkTarget(url, deps.resolve);
  if (!checked.ok) throw validationFailed([{ path: 'url', message: checked.message }]);
}

async function sealedSecret(webhookId: string, now: Date) {
  const secret = newWebhookSecret();
  const stored: StoredSecret = {
    sealed: await seal(WEBHOOK_SECRET_PURPOSE, webhookId, secret),
    createdAt: now.toISOString(),
    expiresAt: null,
  };
  return { secret, stored };
}

export async function createWebhook(
  scope: TenantScope,
  body: { url: string; eventTypes?: EventType[] | undefined; description?: string | undefined },
  now = new Date(),
  deps: WebhookDeps = {},
): Promise<WebhookView & { secret: string }> {
  await checkUrl(body.url, deps);
  const id = ulid(now.getTime());
  const { secret, stored } = await sealedSecret(id, now);
  const at = now.toISOString();
  const webhook: Webhook = {
    id,
    partnerId: scope.partnerId,
    url: body.url,
    eventTypes: body.eventTypes ?? null,
    description: body.description ?? null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    secrets: [stored],
    createdAt: at,
    updatedAt: at,
    createdBy: scope.actor,
  };
  await putNewWebhook(webhook, [
    audit(scope, now, {
      action: 'webhook.create',
      targetType: 'webhook',
      targetId: id,
      companyId: null,
      details: { url: webhook.url, eventTypes: webhook.eventTypes },
    }),
  ]);
  return { ...webhookView(webhook, now), secret };
}

export async function listPartnerWebhooks(
  scope: TenantScope,
  limit: number,
  cursor: string | undefined,
  now = new Date(),
): Promise<Page<WebhookView>> {
  const page = await listWebhooks(scope.partnerId, limit, cursor);
  return { items: page.items.map((w) => webhookView(w, now)), nextCursor: page.nextCursor };
}

async function existing(scope: TenantScope, webhookId: string): Promise<Webhook> {
  const webhook = await getWebhook(scope.partnerId, webhookId);
  if (!webhook) throw notFound('Webhook');
  return webhook;
}

export async function getPartnerWebhook(
  scope: TenantScope,
  webhookId: string,
  now = new Date(),
): Promise<WebhookView> {
  return webhookView(await existing(scope, webhookId), now);
}

const CHANGE_ATTEMPTS = 3;

/** Reads, changes and writes back the endpoint, again if another change came between. */
async function change(
  scope: TenantScope,
  webhookId: string,
  now: Date,
  apply: (webhook: Webhook) => Promise<Webhook> | Webhook,
  details: (
    before: Webhook,
    after: Webhook,
  ) => { action: string; details: Record<string, unknown> },
): Promise<Webhook> {
  for (let attempt = 1; ; attempt++) {
    const before = await existing(scope, webhookId);
    const after = { ...(await apply(before)), updatedAt: now.toISOString() };
    const entry = details(before, after);
    try {
      await replaceWebhook(after, before.updatedAt, [
        audit(scope, now, {
          action: entry.action,
          targetType: 'webhook',
          targetId: webhookId,
          companyId: null,
          details: entry.details,
        }),
      ]);
      return after;
    } catch (error) {
      if (!(error instanceof WebhookChangedError)) throw error;
      if (attempt >= CHANGE_ATTEMPTS) throw conflict({ cause: error });
    }
  }
}

export interface WebhookChange {
  url?: string | undefined;
  eventTypes?: EventType[] | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** Enabling an endpoint again clears why it was disabled and starts its failure clock anew. */
export async function updateWebhook(
  scope: TenantScope,
  webhookId: string,
  body: WebhookChange,
  now = new Date(),
  deps: WebhookDeps = {},
): Promise<WebhookView> {
  if (body.url !== undefined) await checkUrl(body.url, deps);
  const changed = await change(
    scope,
    webhookId,
    now,
    (webhook) => ({
      ...webhook,
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.eventTypes !== undefined ? { eventTypes: body.eventTypes } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.enabled === true && !webhook.enabled
        ? { enabled: true, disabledReason: null, failingSince: null }
        : {}),
      ...(body.enabled === false ? { enabled: false, disabledReason: null } : {}),
    }),
    () => ({ action: 'webhook.update', details: { ...body } }),
  );
  return webhookView(changed, now);
}

export async function removeWebhook(
  scope: TenantScope,
  webhookId: string,
  now = new Date(),
): Promise<WebhookView> {
  const webhook = await existing(scope, webhookId);
  try {
    await deleteWebhook(webhook, [
      audit(scope, now, {
        action: 'webhook.delete',
        targetType: 'webhook',
        targetId: webhookId,
        companyId: null,
        details: { url: webhook.url },
      }),
    ]);
  } catch (error) {
    if (error instanceof WebhookChangedError) throw notFound('Webhook');
    throw error;
  }
  return webhookView(webhook, now);
}

/**
 * A new current secret, shown in this reply only. The one it replaces signs for 24 h more
 * (deliveries carry both signatures meanwhile); older ones keep their earlier end.
 */
export async function rotateWebhookSecret(
  scope: TenantScope,
  webhookId: string,
  now = new Date(),
): Promise<WebhookView & { secret: string }> {
  const { secret, stored } = await sealedSecret(webhookId, now);
  const overlapEnd = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const rotated = await change(
    scope,
    webhookId,
    now,
    (webhook) => ({
      ...webhook,
      secrets: [
        stored,
        ...signingSecrets(webhook, now).map((old) => ({
          ...old,
          expiresAt:
            old.expiresAt === null || old.expiresAt > overlapEnd ? overlapEnd : old.expiresAt,
        })),
      ],
    }),
    () => ({ action: 'webhook.rotateSecret', details: { previousSecretExpiresAt: overlapEnd } }),
  );
  return { ...webhookView(rotated, now), secret };
}

/**
 * A `webhook.test` event, in the feed like any other, delivered to this endpoint only (the
 * event item names it). Delivered as every event is: by the stream, within moments. A request
 * repeated with its Idempotency-Key is answered with the same event and sends no second one.
 */
export async function sendTestEvent(
  scope: TenantScope,
  webhookId: string,
  now = new Date(),
): Promise<DomainEvent> {
  const webhook = await existing(scope, webhookId);
  if (!webhook.enabled) throw webhookDisabled();
  const event = newEvent(
    scope,
    now,
    'webhook.test',
    { companyId: null, accountId: null },
    {
      webhookId,
    },
  );
  await transact(
    [
      testEventStep(event, webhookId),
      audit(scope, now, {
        action: 'webhook.test',
        targetType: 'webhook',
        targetId: webhookId,
        companyId: null,
        details: { eventId: event.id },
      }),
    ],
    { reply: event },
  );
  return event;
}
