/**
 * Business metrics, in CloudWatch embedded metric format. Counts are summed in memory and
 * published as one document when the invocation ends (lib/invocation.ts), whether it succeeded
 * or failed. Written directly rather than through Powertools Metrics, whose 12 KB would grow
 * each counting function's bundle by 3 % for what is one JSON line (README, Observability).
 */
import { embeddedCounts, serviceName } from './emf.ts';
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
  | 'RateLimitRefusals'
  /** A webhook delivered: its receiver answered 2xx (lib/provisioning/webhook-delivery.ts). */
  | 'WebhookDeliveries'
  /** A webhook attempt that failed: no 2xx within 15 s, or an address refused. */
  | 'WebhookAttemptsFailed'
  /** A webhook delivery given up after its last scheduled retry failed: alarmed. */
  | 'WebhookDeliveriesGivenUp'
  /** A webhook endpoint disabled by a 410 or after 5 days without a delivery. */
  | 'WebhookEndpointsDisabled';

const counts = new Map<MetricName, number>();

export function count(name: MetricName, value = 1): void {
  atInvocationEnd(publish);
  counts.set(name, (counts.get(name) ?? 0) + value);
}

/**
 * One EMF document with this invocation's counts; nothing when nothing was counted. Written to
 * stdout whatever the log level, as Powertools Metrics does: a metric is not a log line.
 */
function publish(): void {
  if (counts.size === 0) return;
  const document = { service: serviceName(), ...embeddedCounts(Object.fromEntries(counts)) };
  counts.clear();
  if (process.env.POWERTOOLS_METRICS_DISABLED === 'true') return;
  process.stdout.write(`${JSON.stringify(document)}\n`);
}
