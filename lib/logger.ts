import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { serviceName } from './emf.ts';

let instance: Logger | undefined;

interface Invocation {
  context: Context;
  keys: Record<string, string>;
}

let current: Invocation | undefined;

/**
 * One structured logger for every function, built when the first line is logged: most
 * invocations log nothing, and building it opens stdout and stderr, a millisecond of every cold
 * start. Nothing secret is ever passed to it: handlers log operations and ids, never request
 * bodies, and errors are logged without their `cause` data.
 */
export function logger(): Logger {
  if (!instance) {
    instance = new Logger({ serviceName: serviceName() });
    if (current) enter(instance, current);
  }
  return instance;
}

/**
 * Begins an invocation: every line it logs carries the Lambda context and `keys` (e.g. the HTTP
 * request id), and none of the keys appended during the previous one. The logger is not built
 * for this; if it is built later in the invocation, it starts with them.
 */
export function beginInvocation(context: Context, keys: Record<string, string> = {}): void {
  current = { context, keys };
  if (instance) enter(instance, current);
}

function enter(log: Logger, { context, keys }: Invocation): void {
  log.resetKeys();
  log.addContext(context);
  log.appendKeys(keys);
}
