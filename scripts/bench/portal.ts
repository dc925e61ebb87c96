/**
 * Section 6: the partner portal. Its first-load JavaScript and CSS, gzipped (what index.html
 * names), and the time from navigation to the Companies table in Chromium, against the time to a
 * blank page served by the same front server code, as a ratio (median of the runs, each in a
 * fresh browser context, so nothing is cached).
 *
 * Usage: node --import tsx scripts/bench/portal.ts --out result.json [--runs 5]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startFrontServer } from '../lib/front-server.ts';
import { startStack } from '../lib/local-stack.ts';
import { buildPortal, PORTAL_DIST } from '../lib/portal-build.ts';
import { median } from './format.ts';
import { progress, requireFreePorts, runWithCleanup } from './process.ts';
import type { PortalResult } from './results.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, runs: { type: 'string', default: '5' } },
});
const RUNS = Number(values.runs);
const PORTS = { dynamoDb: 8420, ses: 8425, http: 3410, api: 3413, lambda: 3412, websocket: 3411 };
const BLANK_PORT = 3414;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The gzipped bytes of the scripts and stylesheets index.html loads first. */
function firstLoad(): { jsGzipBytes: number; cssGzipBytes: number } {
  const html = readFileSync(join(PORTAL_DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  const size = (ext: string) =>
    refs
      .filter((ref) => ref.endsWith(ext))
      .reduce(
        (sum, ref) => sum + gzipSync(readFileSync(join(PORTAL_DIST, ref)), { level: 9 }).length,
        0,
      );
  return { jsGzipBytes: size('.js'), cssGzipBytes: size('.css') };
}

async function main(cleanups: Array<() => Promise<void> | void>) {
  await requireFreePorts({ ...PORTS, blank: BLANK_PORT });
  progress('section 6: building the portal');
  await buildPortal();
  const sizes = firstLoad();

  const scratch = mkdtempSync(join(tmpdir(), 'bench-portal-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const blankRoot = join(scratch, 'blank');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(blankRoot);
  writeFileSync(join(blankRoot, 'index.html'), '<!doctype html><title>blank</title><p>blank</p>');

  progress('section 6: starting the local stack');
  const stack = await startStack({
    ports: PORTS,
    dataDir: null,
    streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
  });
  cleanups.push(() => stack.stop());
  const blank = await startFrontServer({ port: BLANK_PORT, root: blankRoot, apiPort: PORTS.api });
  cleanups.push(() => blank.stop());

  process.env.TABLE_NAME = stack.env.TABLE_NAME;
  process.env.DYNAMODB_ENDPOINT = stack.urls.dynamoDb;
  process.env.AWS_REGION ??= 'us-east-1';
  const { createPartner } = await import('#lib/provisioning/partners.ts');
  const { dynamoDb } = await import('#lib/clients/dynamodb.ts');
  cleanups.push(() => dynamoDb.destroy());
  const { apiKey } = await createPartner('Bench Portal IT', false);
  const created = await fetch(`${stack.urls.api}/v1/companies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'HighTech',
      quotaMb: 10240,
      contact: { fullName: 'Hanna Tech', email: 'hanna@hightech.example' },
      admin: { username: `bench.portal.${Date.now().toString(36)}`, plan: 'select' },
    }),
  });
  if (created.status !== 201) throw new Error(`Creating the company answered ${created.status}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanups.push(() => browser.close());

  const session = JSON.stringify({
    token: apiKey,
    expiresAt: null,
    kind: 'partner',
    label: 'Bench Portal IT',
  });
  const time = async (
    url: string,
    ready: (page: import('playwright-core').Page) => Promise<void>,
  ) => {
    const context = await browser.newContext();
    await context.addInitScript(
      (value) => sessionStorage.setItem('portal.session', value),
      session,
    );
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url);
    await ready(page);
    const ms = performance.now() - started;
    await context.close();
    return ms;
  };
  const table = (page: import('playwright-core').Page) =>
    page.getByRole('link', { name: 'HighTech' }).waitFor();
  const blankReady = (page: import('playwright-core').Page) =>
    page.getByText('blank').last().waitFor();

  // One warm-up of each: the functions' first (cold) invocations are not the portal's cost.
  await time(`${stack.urls.portal}companies`, table);
  await time(`${blank.url}/`, blankReady);
  const tableMs: number[] = [];
  const blankMs: number[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    progress(`section 6: run ${run} of ${RUNS}`);
    tableMs.push(await time(`${stack.urls.portal}companies`, table));
    blankMs.push(await time(`${blank.url}/`, blankReady));
  }
  const result: PortalResult = {
    ...sizes,
    runs: RUNS,
    tableMs: median(tableMs),
    blankMs: median(blankMs),
    ratio: median(tableMs) / median(blankMs),
  };
  writeFileSync(values.out as string, JSON.stringify(result));
}

await runWithCleanup(main);
