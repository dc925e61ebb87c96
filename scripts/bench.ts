/**
 * `npm run bench`: what the service costs, measured locally, each figure the median of repeated
 * runs. Four sections, each printed as a table, then a summary of the targets:
 *
 * 1. DynamoDB requests and consumed capacity per use case (DynamoDB Local, in-process).
 * 2. Handler wall time over the time spent in its own DynamoDB sends (in-process).
 * 3. Minified bundle size and cold module load of each function, against an SDK-only baseline.
 * 4. HTTP throughput of the whole local stack (serverless-offline) under autocannon.
 * 5. The trial job at scale: read capacity among 100 000 accounts against reading the due alone.
 * 6. The partner portal: first-load JS and CSS gzipped; time to the Companies table in Chromium
 *    over a blank page of the same front server.
 * 7. Webhooks: DynamoDB requests per event delivered to one endpoint, and the write units a
 *    create's events add to it.
 *
 * Options: --runs N (5) repetitions · --loads N (7) fresh processes per cold load ·
 * --duration S (10) and --connections N (50) for autocannon · --sections 1,2,3,4,5,6,7
 * Progress goes to stderr, the report to stdout.
 */
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureBundles } from './bench/bundles.ts';
import { type Column, num, table, verdict } from './bench/format.ts';
import { forwardSignals, machineActivity, progress, runChild } from './bench/process.ts';
import type {
  BundleResult,
  HttpResult,
  InProcessResult,
  PortalResult,
  WebhookResult,
} from './bench/results.ts';

const usage =
  'Usage: npm run bench -- [--runs 5] [--loads 7] [--duration 10] [--connections 50] ' +
  '[--sections 1,2,3,4,5,6,7]';

let options: {
  runs: string;
  loads: string;
  duration: string;
  connections: string;
  sections: string;
};
try {
  options = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      loads: { type: 'string', default: '7' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      sections: { type: 'string', default: '1,2,3,4,5,6,7' },
    },
  }).values as typeof options;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const positive = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number ≥ 1\n${usage}`);
    process.exit(2);
  }
  return n;
};
const RUNS = positive('runs', options.runs);
const LOADS = positive('loads', options.loads);
const DURATION_S = positive('duration', options.duration);
const CONNECTIONS = positive('connections', options.connections);
const sections = new Set(options.sections.split(',').map((s) => s.trim()));

const TARGETS = {
  handlerRatio: 1.25,
  loadRatio: 1.15,
  httpBundleKb: 450,
  usagePageRatio: 1.2,
  portalJsKb: 60,
  requestsPerDelivery: 3,
  itemsPerChange: 1,
};

const script = (name: string) => fileURLToPath(new URL(`./bench/${name}`, import.meta.url));

interface Target {
  target: string;
  figure: string;
  met: boolean;
}
const summary: Target[] = [];

function printHeader() {
  const cpu = cpus();
  console.log('Benchmark: backup-provisioning');
  console.log(`Date:      ${new Date().toISOString()}`);
  console.log(
    `Machine:   ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ` +
      `${num(totalmem() / 1024 ** 3, 1)} GB RAM, Node ${process.version}`,
  );
  console.log(`Activity:  ${machineActivity()}`);
  console.log(
    `Settings:  --runs ${RUNS} --loads ${LOADS} --duration ${DURATION_S} ` +
      `--connections ${CONNECTIONS} --sections ${[...sections].join(',')}`,
  );
  console.log('');
}

function printRequests(result: InProcessResult) {
  const columns: Column[] = [
    { header: 'operation' },
    { header: 'requests', align: 'right' },
    { header: 'bound', align: 'right' },
    { header: 'within', align: 'right' },
    { header: 'capacity units', align: 'right' },
    { header: 'DynamoDB ms', align: 'right' },
    { header: 'commands' },
  ];
  const rows = result.requests.map((row) => [
    row.operation,
    num(row.requests),
    row.boundLabel ? `≤ ${row.bound} (${row.boundLabel})` : `≤ ${row.bound}`,
    row.requests <= row.bound ? 'yes' : 'NO',
    num(row.capacity, 1),
    num(row.dynamoMs, 1),
    row.commands,
  ]);
  console.log(
    table(
      `1. DynamoDB requests and consumed capacity per operation ` +
        `(DynamoDB Local, median of ${result.runs} runs)`,
      columns,
      rows,
    ),
  );
  console.log(
    '   Capacity: ReturnConsumedCapacity TOTAL on every command, summed per operation.\n' +
      '   Lists: the company read (404, add-ons) plus one Query per page.\n',
  );
  const page = result.usagePage;
  console.log(
    `   Usage table page (10 rows): ${num(page.largeCapacity, 1)} capacity units for a company ` +
      `of ${page.largeAccounts} accounts, ${num(page.smallCapacity, 1)} for one of ` +
      `${page.smallAccounts}: ${num(page.ratio, 2)}× (seeded in ${num(page.seedS, 1)} s).\n`,
  );
  summary.push({
    target: `Usage table page, ${page.largeAccounts} over ${page.smallAccounts} accounts ≤ ${TARGETS.usagePageRatio}×`,
    figure: `${num(page.ratio, 2)}× (${num(page.largeCapacity, 1)} / ${num(page.smallCapacity, 1)} capacity units)`,
    met: page.ratio <= TARGETS.usagePageRatio,
  });
  const over = result.requests.filter((row) => row.requests > row.bound);
  summary.push({
    target: 'DynamoDB requests within bound',
    figure:
      over.length === 0
        ? `all ${result.requests.length} operations`
        : over.map((row) => `${row.operation}: ${row.requests} > ${row.bound}`).join('; '),
    met: over.length === 0,
  });
}

function printHandlers(result: InProcessResult) {
  const columns: Column[] = [
    { header: 'operation' },
    { header: 'handler ms', align: 'right' },
    { header: 'DynamoDB ms', align: 'right' },
    { header: 'other ms', align: 'right' },
    { header: 'handler/DynamoDB', align: 'right' },
    { header: `≤ ${TARGETS.handlerRatio}`, align: 'right' },
  ];
  const rows = result.handlers.map((row) => [
    row.operation,
    num(row.handlerMs, 2),
    num(row.dynamoMs, 2),
    num(row.handlerMs - row.dynamoMs, 2),
    num(row.ratio, 3),
    verdict(row.ratio <= TARGETS.handlerRatio),
  ]);
  console.log(
    table(
      `2. Handler time over its own DynamoDB time (in-process, warm; median of ${result.runs} ` +
        `runs of ${result.invocationsPerRun} invocations; times per invocation)`,
      columns,
      rows,
    ),
  );
  console.log(
    '   Bodies carry no password (scrypt hashing of a given password is CPU time by design).\n',
  );
  const worst = [...result.handlers].sort((a, b) => b.ratio - a.ratio)[0];
  const over = result.handlers.filter((row) => row.ratio > TARGETS.handlerRatio);
  summary.push({
    target: `Handler/DynamoDB time ≤ ${TARGETS.handlerRatio}`,
    figure:
      over.length === 0
        ? `worst ${num(worst?.ratio, 3)} (${worst?.operation})`
        : over.map((row) => `${row.operation} ${num(row.ratio, 3)}`).join('; '),
    met: over.length === 0,
  });
}

function printBundles(result: BundleResult) {
  const columns: Column[] = [
    { header: 'function' },
    { header: 'trigger' },
    { header: 'size KB', align: 'right' },
    { header: 'artifact KB', align: 'right' },
    { header: 'baseline', align: 'right' },
    { header: 'baseline KB', align: 'right' },
    { header: 'load ms', align: 'right' },
    { header: 'baseline ms', align: 'right' },
    { header: 'ratio', align: 'right' },
    { header: 'most added over baseline (KB)' },
  ];
  const rows = result.rows.map((row) => [
    row.fn,
    row.trigger,
    num(row.sizeKb, 1),
    num(row.artifactKb, 1),
    row.baseline,
    row.baselineKb ? num(row.baselineKb, 1) : '-',
    num(row.loadMs, 1),
    num(row.baselineMs, 1),
    num(row.ratio, 2),
    row.additions,
  ]);
  console.log(
    table(
      `3. Minified bundle size and cold module load (esbuild as serverless.yml; median of ` +
        `${result.loads} fresh node processes)`,
      columns,
      rows,
    ),
  );
  console.log(
    '   Baseline: a bundle of only the SDK clients the function uses and the commands it sends\n' +
      '   through them (dynamodb: DynamoDB client + lib-dynamodb; ses: client-ses); none: no SDK\n' +
      '   client, so no ratio. Load: `require` of the bundle in a fresh `node` process.\n' +
      '   Artifact: the zip `osls package` deploys for the function, holding its bundle only.\n',
  );
  const compared = result.rows.filter((row) => !Number.isNaN(row.ratio));
  const slow = compared.filter((row) => row.ratio > TARGETS.loadRatio);
  const worst = [...compared].sort((a, b) => b.ratio - a.ratio)[0];
  summary.push({
    target: `Cold load ≤ ${TARGETS.loadRatio} × baseline`,
    figure:
      slow.length === 0
        ? `worst ${num(worst?.ratio, 2)} (${worst?.fn})`
        : `${slow.length} of ${compared.length} over; worst ` +
          [...slow]
            .sort((a, b) => b.ratio - a.ratio)
            .slice(0, 3)
            .map((row) => `${row.fn} ${num(row.ratio, 2)}`)
            .join(', '),
    met: slow.length === 0,
  });
  const http = result.rows.filter((row) => row.http && !row.sendsEmail);
  const big = http.filter((row) => row.sizeKb > TARGETS.httpBundleKb);
  const largest = [...http].sort((a, b) => b.sizeKb - a.sizeKb)[0];
  summary.push({
    target: `HTTP bundles without e-mail ≤ ${TARGETS.httpBundleKb} KB`,
    figure:
      big.length === 0
        ? `largest ${num(largest?.sizeKb, 0)} KB (${largest?.fn})`
        : `${big.length} of ${http.length} over; largest ${num(largest?.sizeKb, 0)} KB ` +
          `(${largest?.fn}); SDK-only baseline ${num(largest?.baselineKb, 0)} KB`,
    met: big.length === 0,
  });
}

function printHttp(result: HttpResult) {
  const columns: Column[] = [{ header: 'measure' }, { header: 'value', align: 'right' }];
  const rows = [
    ['requests/s', num(result.requestsPerS, 1)],
    ['latency p50 (ms)', num(result.p50Ms)],
    ['latency p99 (ms)', num(result.p99Ms)],
    ['non-2xx (all runs)', num(result.non2xx)],
    ['errors (all runs)', num(result.errors)],
    ['  of which timeouts (> 10 s)', num(result.timeouts)],
    ['requests answered (all runs)', num(result.totalRequests)],
  ];
  console.log(
    table(
      `4. Local HTTP throughput: GET ${result.url} through serverless-offline, ` +
        `${result.connections} connections, ${result.durationS} s, median of ${result.runs} runs`,
      columns,
      rows,
    ),
  );
  const statuses = Object.entries(result.warmUpStatuses)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  console.log(
    [
      `   Warm-up: concurrency ramped up 5 at a time to ${result.connections} (serverless-offline ` +
        'cold-starts a worker',
      '   thread whenever all instances of a function are busy): ' +
        `${result.warmUpRequests} requests, ${result.warmUpNon2xx} not 2xx` +
        `${statuses ? ` (${statuses})` : ''}.`,
      `   serverless-offline logged ${result.offlineLambdaTimeouts} Lambda timeouts (504) and ` +
        `${result.offlineAuthorizerErrors} failed authorizer invocations (401),`,
      '   warm-up and runs together.',
      '',
    ].join('\n'),
  );
  summary.push({
    target: 'HTTP load: 0 non-2xx and 0 errors',
    figure: `${result.non2xx} non-2xx, ${result.errors} errors in ${num(result.totalRequests)} requests; ${num(result.requestsPerS, 1)} req/s`,
    met: result.non2xx === 0 && result.errors === 0,
  });
}

function printSummary() {
  if (summary.length === 0) return;
  console.log(
    table(
      'Summary of targets',
      [{ header: 'target' }, { header: 'result' }, { header: 'figure' }],
      summary.map((t) => [t.target, verdict(t.met), t.figure]),
    ),
  );
}

interface TrialScaleResult {
  accounts: number;
  openTrials: number;
  due: number;
  directReadCapacity: number;
  jobReadCapacity: number;
  jobReadRequests: number;
  ratio: number;
  jobSeconds: number;
}

function printTrialScale(result: TrialScaleResult) {
  const columns: Column[] = [
    { header: 'accounts', align: 'right' },
    { header: 'open trials', align: 'right' },
    { header: 'due today', align: 'right' },
    { header: 'read CU, due items alone', align: 'right' },
    { header: 'read CU, job', align: 'right' },
    { header: 'job read requests', align: 'right' },
    { header: 'job/direct', align: 'right' },
    { header: '≤ 2', align: 'left' },
  ];
  const met = result.ratio <= 2;
  console.log(
    table(
      '5. The trial job at scale (DynamoDB Local, ReturnConsumedCapacity on every read)',
      columns,
      [
        [
          num(result.accounts),
          num(result.openTrials),
          num(result.due),
          num(result.directReadCapacity, 1),
          num(result.jobReadCapacity, 1),
          num(result.jobReadRequests),
          num(result.ratio, 3),
          verdict(met),
        ],
      ],
    ),
  );
  console.log(
    `   Job run took ${num(result.jobSeconds, 2)} s; it queries only the TrialDue day buckets.\n`,
  );
  summary.push({
    target: 'Trial job reads ≤ 2 × the due items',
    figure: `${num(result.ratio, 3)} × (${num(result.jobReadCapacity, 1)} vs ${num(result.directReadCapacity, 1)} CU)`,
    met,
  });
}

function printPortal(result: PortalResult) {
  const kb = (bytes: number) => num(bytes / 1024, 1);
  console.log(
    table(
      `6. Partner portal (Chromium, fresh context per run; median of ${result.runs} runs)`,
      [{ header: 'figure' }, { header: 'value', align: 'right' }],
      [
        ['first-load JavaScript, gzipped (KB)', kb(result.jsGzipBytes)],
        ['first-load CSS, gzipped (KB)', kb(result.cssGzipBytes)],
        ['navigation → Companies table (ms)', num(result.tableMs, 0)],
        ['navigation → blank page, same server (ms)', num(result.blankMs, 0)],
        ['ratio', `${num(result.ratio, 2)}×`],
      ],
    ),
  );
  console.log(
    '   The table time includes the API call (serverless-offline, warm) that fills it.\n',
  );
  summary.push({
    target: `Portal first-load JavaScript ≤ ${TARGETS.portalJsKb} KB gzipped`,
    figure: `${kb(result.jsGzipBytes)} KB JS, ${kb(result.cssGzipBytes)} KB CSS; table ${num(result.ratio, 2)}× a blank page`,
    met: result.jsGzipBytes <= TARGETS.portalJsKb * 1024,
  });
}

function printWebhooks(result: WebhookResult) {
  const columns: Column[] = [
    { header: 'measure' },
    { header: 'value', align: 'right' },
    { header: 'target', align: 'right' },
    { header: 'met' },
    { header: 'detail' },
  ];
  const one = result.oneEndpoint.requests;
  const perEvent = result.create.perEvent;
  const rows = [
    [
      'DynamoDB requests, one event to one endpoint',
      num(one),
      `≤ ${TARGETS.requestsPerDelivery}`,
      verdict(one <= TARGETS.requestsPerDelivery),
      result.oneEndpoint.commands.join(', '),
    ],
    [
      'DynamoDB requests, one event to three endpoints',
      num(result.threeEndpoints.requests),
      '',
      '',
      `${num(result.threeEndpoints.perEndpoint, 2)} per endpoint: the Query and BatchGetItem are shared`,
    ],
    [
      'event items per change (a company create: company + admin account)',
      `${num(perEvent.length / 2, 1)}`,
      `≤ ${TARGETS.itemsPerChange}`,
      verdict(perEvent.length / 2 <= TARGETS.itemsPerChange),
      `${perEvent.length} events for the 2 objects it creates`,
    ],
    [
      'write units the events add to the create (transactional)',
      num(result.create.eventWriteUnits),
      '',
      '',
      perEvent
        .map((e) => `${e.type} (${num(e.bytes)} B as JSON) → ${num(e.writeUnits)} WCU`)
        .join('; '),
    ],
  ];
  console.log(
    table('7. Webhooks (DynamoDB Local, in-process, a receiver on 127.0.0.1)', columns, rows),
  );
  console.log(
    '   Write units: each event item the create wrote, put again alone with\n' +
      '   ReturnConsumedCapacity (1 WCU per KB), doubled as a transaction writes it. No request\n' +
      '   is added: the events ride in the create’s own TransactWriteItems.\n',
  );
  summary.push({
    target: `Webhook delivery ≤ ${TARGETS.requestsPerDelivery} DynamoDB requests per event and endpoint`,
    figure: `${one} (${result.oneEndpoint.commands.join(', ')})`,
    met: one <= TARGETS.requestsPerDelivery,
  });
  summary.push({
    target: `Event items ≤ ${TARGETS.itemsPerChange} per change`,
    figure: `${perEvent.length} events for a company with its admin account, +${num(result.create.eventWriteUnits)} WCU`,
    met: perEvent.length / 2 <= TARGETS.itemsPerChange,
  });
}

async function main() {
  forwardSignals();
  const started = Date.now();
  printHeader();
  let failed = false;
  const section = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      failed = true;
      console.log(`${name}: could not be measured: ${(error as Error).message}\n`);
      summary.push({ target: name, figure: (error as Error).message, met: false });
    }
  };

  if (sections.has('1') || sections.has('2')) {
    await section('Sections 1–2', async () => {
      progress('sections 1–2: in-process against DynamoDB Local');
      const result = await runChild<InProcessResult>(script('dynamo.ts'), ['--runs', `${RUNS}`]);
      if (sections.has('1')) printRequests(result);
      if (sections.has('2')) printHandlers(result);
    });
  }
  if (sections.has('3')) {
    await section('Section 3', async () => printBundles(await measureBundles(LOADS)));
  }
  if (sections.has('4')) {
    await section('Section 4', async () => {
      const result = await runChild<HttpResult>(script('http.ts'), [
        '--runs',
        `${RUNS}`,
        '--duration',
        `${DURATION_S}`,
        '--connections',
        `${CONNECTIONS}`,
      ]);
      printHttp(result);
    });
  }
  if (sections.has('5')) {
    await section('Section 5', async () => {
      progress('section 5: seeding 100 000 accounts (about five minutes), then one trial job run');
      printTrialScale(await runChild<TrialScaleResult>(script('trial-scale.ts'), []));
    });
  }
  if (sections.has('6')) {
    await section('Section 6', async () => {
      printPortal(await runChild<PortalResult>(script('portal.ts'), ['--runs', `${RUNS}`]));
    });
  }
  if (sections.has('7')) {
    await section('Section 7', async () => {
      progress('section 7: webhooks against DynamoDB Local');
      printWebhooks(await runChild<WebhookResult>(script('webhooks.ts'), []));
    });
  }
  printSummary();
  console.log(`Activity at the end: ${machineActivity()}`);
  console.log(`Took ${num((Date.now() - started) / 1000, 0)} s.`);
  if (failed) process.exitCode = 1;
}

await main();
