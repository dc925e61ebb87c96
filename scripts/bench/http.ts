/**
 * Section 4: the whole local stack (DynamoDB Local in memory, the SES emulator, serverless-offline
 * with the authorizer and the stream mailer) under autocannon: GET /v1/companies/{id} with a
 * partner's bearer key, several runs, the median of each figure.
 *
 * Usage: node --import tsx scripts/bench/http.ts --out result.json [--runs 5] [--duration 10]
 *        [--connections 50]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startStack } from '../lib/local-stack.ts';
import { median } from './format.ts';
import { progress, requireFreePorts, runWithCleanup } from './process.ts';
import type { HttpResult } from './results.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    runs: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const RUNS = Number(values.runs);
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const PORTS = { dynamoDb: 8410, ses: 8415, http: 3400, api: 3403, lambda: 3402, websocket: 3401 };

async function main(cleanups: Array<() => Promise<void> | void>) {
  await requireFreePorts(PORTS);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-http-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const log: string[] = [];
  /** What serverless-offline reports about failed invocations (its 401s hide the cause). */
  const offline = { lambdaTimeouts: 0, authorizerErrors: 0 };
  progress(
    'section 4: starting the local stack (DynamoDB Local, SES emulator, serverless-offline)',
  );
  const started = Date.now();
  const starting = startStack({
    ports: PORTS,
    dataDir: null,
    streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
    log: (line) => {
      log.push(line);
      if (log.length > 200) log.shift();
      if (line.includes('Lambda timeout')) offline.lambdaTimeouts += 1;
      if (line.includes('Authorization function returned an error')) offline.authorizerErrors += 1;
    },
  });
  // Registered before the stack is up, so an interruption while it starts still stops it.
  cleanups.push(async () => (await starting.catch(() => null))?.stop());
  let stack: Awaited<typeof starting>;
  try {
    stack = await starting;
  } catch (error) {
    console.error(log.join('\n'));
    throw error;
  }
  progress(`section 4: stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The service's client reads these at module load: set them first, then import.
  process.env.TABLE_NAME = stack.env.TABLE_NAME;
  process.env.DYNAMODB_ENDPOINT = stack.urls.dynamoDb;
  process.env.AWS_REGION ??= 'us-east-1';
  const { createPartner } = await import('#lib/provisioning/partners.ts');
  const { dynamoDb } = await import('#lib/clients/dynamodb.ts');
  cleanups.push(() => dynamoDb.destroy());
  const { apiKey } = await createPartner('Bench IT', false);
  const authorization = `Bearer ${apiKey}`;

  const created = await fetch(`${stack.urls.api}/v1/companies`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'HighTech',
      quotaMb: 10240,
      contact: { fullName: 'Hanna Tech', email: 'hanna@hightech.example' },
      admin: { username: `bench.admin.${Date.now().toString(36)}`, plan: 'select' },
    }),
  });
  const createdBody = (await created.json()) as { company?: { id: string } };
  if (created.status !== 201 || !createdBody.company) {
    throw new Error(
      `Creating the company answered ${created.status}: ${JSON.stringify(createdBody)}`,
    );
  }
  const url = `${stack.urls.api}/v1/companies/${createdBody.company.id}`;

  // serverless-offline starts a new worker thread (a cold start) for a function whenever all its
  // instances are busy, and counts the module load against the function's 10 s timeout. After
  // one such timeout the instance stays in the pool with its worker terminated, and every request
  // it takes later times out too. So the warm-up ramps the concurrency up 5 requests at a time:
  // a few cold starts at once, never many. Its answers are counted apart from the runs.
  const warmUp = { requests: 0, non2xx: 0, statuses: new Map<string, number>() };
  const round = async (concurrency: number) => {
    const statuses = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        try {
          const reply = await fetch(url, {
            headers: { authorization },
            signal: AbortSignal.timeout(15_000),
          });
          await reply.arrayBuffer();
          return reply.status;
        } catch {
          return 0;
        }
      }),
    );
    warmUp.requests += statuses.length;
    for (const status of statuses.filter((s) => s < 200 || s >= 300)) {
      warmUp.non2xx += 1;
      const what = status === 0 ? 'no answer in 15 s' : String(status);
      warmUp.statuses.set(what, (warmUp.statuses.get(what) ?? 0) + 1);
    }
  };
  progress(`section 4: warm-up, ramping to ${CONNECTIONS} concurrent requests`);
  for (let level = 1; level < CONNECTIONS; level = level === 1 ? 5 : level + 5) {
    await round(level);
  }
  await round(CONNECTIONS);
  await round(CONNECTIONS);

  const load = async (duration: number, drain: boolean) => {
    const outcome = await autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      headers: { authorization },
    });
    // autocannon leaves the requests still in flight when the time is up; let serverless-offline
    // finish them, or the next run finds every instance busy and cold-starts new ones.
    if (drain) await sleep(Math.min(10_000, outcome.latency.p99 + 500));
    return outcome;
  };

  const results = [];
  for (let run = 1; run <= RUNS; run++) {
    progress(`section 4: run ${run}/${RUNS}, ${CONNECTIONS} connections for ${DURATION_S} s`);
    const outcome = await load(DURATION_S, run < RUNS);
    results.push(outcome);
    progress(
      `section 4: run ${run}: ${outcome.requests.average} req/s, p50 ${outcome.latency.p50} ms, ` +
        `p99 ${outcome.latency.p99} ms, non-2xx ${outcome.non2xx}, errors ${outcome.errors} ` +
        `(timeouts ${outcome.timeouts})`,
    );
  }

  const result: HttpResult = {
    url: url.replace(createdBody.company.id, '{id}'),
    connections: CONNECTIONS,
    durationS: DURATION_S,
    runs: RUNS,
    requestsPerS: median(results.map((r) => r.requests.average)),
    p50Ms: median(results.map((r) => r.latency.p50)),
    p99Ms: median(results.map((r) => r.latency.p99)),
    // Every failed request of every run counts, not only the median run's.
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    totalRequests: results.reduce((sum, r) => sum + r.requests.total, 0),
    warmUpRequests: warmUp.requests,
    warmUpNon2xx: warmUp.non2xx,
    warmUpStatuses: Object.fromEntries(warmUp.statuses),
    offlineLambdaTimeouts: offline.lambdaTimeouts,
    offlineAuthorizerErrors: offline.authorizerErrors,
  };
  writeFileSync(values.out as string, JSON.stringify(result));
}

await runWithCleanup(main);
