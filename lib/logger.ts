import { Logger } from '@aws-lambda-powertools/logger';

let instance: Logger | undefined;

/**
 * One structured logger for every function, built when the first line is logged: most
 * invocations log nothing, and building it opens stdout and stderr, a millisecond of every cold
 * start. Nothing secret is ever passed to it: handlers log operations and ids, never request
 * bodies, and errors are logged without their `cause` data.
 */
export function logger(): Logger {
  instance ??= new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'backup-provisioning',
  });
  return instance;
}
