/**
 * Business metrics, in CloudWatch embedded metric format through Powertools Metrics. Counts are
 * summed in memory and published once, when the invocation ends (lib/invocation.ts), whether it
 * succeeded or failed. Only the functions that count something bundle this module.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, serviceName } from './emf.ts';
import { atInvocationEnd } from './invocation.ts';

export type MetricName =
  /** A company created (lib/provisioning/companies.ts). */
  | 'CompaniesCreated'
  /** An account created, a new company's admin account included. */
  | 'AccountsCreated'
  /** An outbox e-mail handed to SES (lib/mail/deliver.ts). */
  | 'EmailsSent'
  /** An outbox e-mail that could not be sent: a failed attempt (retried) or no recipient. */
  | 'EmailsFailed'
  /** A trial reminder queued by the trial job (7 or 1 day before the end). */
  | 'TrialRemindersSent'
  /** A trial expired by the trial job. */
  | 'TrialsExpired'
  /** A wrong password, at login or at a password change. */
  | 'FailedLogins'
  /** A wrong secret answer (or a refused UltraSafe account) at recovery. */
  | 'FailedRecoveries'
  /** An attempt refused with TOO_MANY_ATTEMPTS. */
  | 'RateLimitRefusals';

let instance: Metrics | undefined;
const counts = new Map<MetricName, number>();

export function count(name: MetricName, value = 1): void {
  atInvocationEnd(publish);
  counts.set(name, (counts.get(name) ?? 0) + value);
}

/** One EMF document with this invocation's counts; nothing when nothing was counted. */
function publish(): void {
  if (counts.size === 0) return;
  instance ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: serviceName() });
  for (const [name, value] of counts) instance.addMetric(name, MetricUnit.Count, value);
  counts.clear();
  instance.publishStoredMetrics();
}
