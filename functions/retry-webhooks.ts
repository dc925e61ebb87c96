import type { Context } from 'aws-lambda';
import { endInvocation } from '#lib/invocation.ts';
import { beginInvocation, logger } from '#lib/logger.ts';
import { runWebhookRetries } from '#lib/provisioning/webhook-delivery.ts';

/** Leaves room for the last page's POSTs (15 s each, sent at once) before the timeout. */
const MARGIN_MS = 20_000;

export const handler = async (_event: unknown, context: Context) => {
  beginInvocation(context);
  try {
    const deadline = new Date(Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS);
    const totals = await runWebhookRetries({ deadline });
    // A line per minute that did something; an idle sweep is only worth one when debugging.
    if (totals.attempted + totals.closed > 0) logger().info('Webhook retries swept', totals);
    else logger().debug('Webhook retries swept', totals);
    return totals;
  } finally {
    endInvocation();
  }
};
