/**
 * Standard Webhooks v1 signing, through the standardwebhooks package: what a partner's
 * receiver verifies with the same library.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new secret: `whsec_` and the base64 of 24 random bytes, as Standard Webhooks writes them. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * The `webhook-signature` header: one `v1,<signature>` per secret, space-separated, so a
 * receiver holding either secret during a rotation verifies the delivery.
 */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  payload: string,
): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, payload)).join(' ');
}

/** The three headers of a delivery; the timestamp is the attempt's, in epoch seconds. */
export function webhookHeaders(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  payload: string,
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatureHeader(secrets, messageId, timestamp, payload),
  };
}
