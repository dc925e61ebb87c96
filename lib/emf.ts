/**
 * CloudWatch embedded metric format: the members that make a JSON log line also count metrics,
 * by service. Business counts (lib/metrics.ts) and the 5xx count on an error's own log line
 * (lib/http/handler.ts) are both written this way.
 */
export const METRICS_NAMESPACE = 'BackupProvisioning';

export const serviceName = (): string =>
  process.env.POWERTOOLS_SERVICE_NAME ?? 'backup-provisioning';

/** The EMF members counting each name by its value; the line must also carry `service`. */
export const embeddedCounts = <N extends string>(counts: Record<N, number>, now = Date.now()) => ({
  _aws: {
    Timestamp: now,
    CloudWatchMetrics: [
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service']],
        Metrics: Object.keys(counts).map((name) => ({ Name: name, Unit: 'Count' })),
      },
    ],
  },
  ...counts,
});
