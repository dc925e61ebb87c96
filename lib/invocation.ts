/**
 * The end of an invocation, for what is kept in memory until then (lib/metrics.ts registers its
 * publishing here when first used). Handlers call `endInvocation()` whether the invocation
 * succeeded or failed, without importing what the hooks belong to: a function that counts
 * nothing does not bundle Powertools Metrics.
 */
import { logger } from './logger.ts';

const hooks = new Set<() => void>();

export function atInvocationEnd(hook: () => void): void {
  hooks.add(hook);
}

/** Runs every hook; one that fails is logged and does not fail the invocation. */
export function endInvocation(): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      logger().error('End-of-invocation hook failed', { error: (error as Error).message });
    }
  }
}
