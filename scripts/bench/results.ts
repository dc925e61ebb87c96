/** What each section's child process hands back to `scripts/bench.ts`. */

export interface RequestRow {
  operation: string;
  /** The most requests the operation may cost, and how that bound is made up (if not plain). */
  bound: number;
  boundLabel: string;
  requests: number;
  /** The commands of the last run, e.g. "BatchGetItem + TransactWriteItems". */
  commands: string;
  /** Capacity units; null when DynamoDB Local returned no ConsumedCapacity. */
  capacity: number | null;
  dynamoMs: number;
}

export interface HandlerRow {
  operation: string;
  handlerMs: number;
  dynamoMs: number;
  ratio: number;
}

export interface InProcessResult {
  runs: number;
  invocationsPerRun: number;
  requests: RequestRow[];
  /** Capacity units of one usage-table page (10 rows) of a large company and of a small one. */
  usagePage: {
    largeAccounts: number;
    smallAccounts: number;
    largeCapacity: number;
    smallCapacity: number;
    ratio: number;
    seedS: number;
  };
  handlers: HandlerRow[];
}

export interface BundleRow {
  fn: string;
  trigger: string;
  /** Serves the HTTP API (a route or its authorizer). */
  http: boolean;
  /** Its bundle holds the SES client. */
  sendsEmail: boolean;
  baseline: string;
  sizeKb: number;
  /** The zip deployed for the function. */
  artifactKb: number;
  baselineKb: number;
  loadMs: number;
  baselineMs: number;
  ratio: number;
  /** The packages adding the most bytes over the baseline. */
  additions: string;
}

export interface BundleResult {
  loads: number;
  rows: BundleRow[];
}

export interface HttpResult {
  url: string;
  connections: number;
  durationS: number;
  runs: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  totalRequests: number;
  /** The ramp-up before the runs, where serverless-offline cold-starts its instances. */
  warmUpRequests: number;
  warmUpNon2xx: number;
  warmUpStatuses: Record<string, number>;
  /** Over warm-up and runs: serverless-offline's "[504] - Lambda timeout" lines… */
  offlineLambdaTimeouts: number;
  /** …and its "Authorization function returned an error response" lines (answered 401). */
  offlineAuthorizerErrors: number;
}

export interface PortalResult {
  jsGzipBytes: number;
  cssGzipBytes: number;
  runs: number;
  /** Median time from navigation to the Companies table's first company, in a fresh context. */
  tableMs: number;
  /** Median time to a blank page from the same front server code. */
  blankMs: number;
  ratio: number;
}

/** Section 6: webhook delivery's requests, and what events add to a create. */
export interface WebhookResult {
  oneEndpoint: { requests: number; commands: string[] };
  threeEndpoints: { requests: number; perEndpoint: number; commands: string[] };
  create: {
    events: number;
    /** Transactional write units of the create's event items together. */
    eventWriteUnits: number;
    perEvent: Array<{ type: string; bytes: number; writeUnits: number }>;
  };
}
