import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function. Nothing secret is ever passed to it: handlers log
 * operations and ids, never request bodies, and errors are logged without their `cause` data.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'backup-provisioning',
});
