/**
 * What lib/metrics.ts and the one metric written without it share: the namespace, the service
 * dimension, and the CloudWatch embedded metric format member that makes a JSON log line a
 * metric. Tiny on purpose: every function's bundle holds it, Powertools Metrics only those that
 * count something.
 */
export const METRICS_NAMESPACE = 'BackupProvisioning';

export const serviceName = (): string =>
  process.env.POWERTOOLS_SERVICE_NAME ?? 'backup-provisioning';

/**
 * The members that make a structured log line also count `name` once, by service. The line
 * must carry `service` (every line of lib/logger.ts does).
 */
export const embeddedCount = <N extends string>(name: N, now = Date.now()) =>
  ({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: [{ Name: name, Unit: 'Count' }],
        },
      ],
    },
    [name]: 1,
  }) as { _aws: unknown } & Record<N, 1>;
