import type { Context } from 'aws-lambda';
import { endInvocation } from '#lib/invocation.ts';
import { beginInvocation, logger } from '#lib/logger.ts';
import { runTrialJob } from '#lib/provisioning/trials.ts';

/** Leaves time to finish the transition in flight and record how far the run got. */
const SAFETY_MARGIN_MS = 30_000;

export const handler = async (_event: unknown, context: Context) => {
  beginInvocation(context);
  try {
    const result = await runTrialJob({
      now: new Date(),
      deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
    });
    const { daysScanned, ...figures } = result;
    logger().info('Trial job finished', { ...figures, days: daysScanned.length });
    return result;
  } finally {
    // The steps counted so far are published even when the run fails half-way.
    endInvocation();
  }
};
