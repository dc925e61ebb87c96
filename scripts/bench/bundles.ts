/**
 * Section 3: each function bundled with the esbuild options serverless.yml's custom.esbuild gives
 * serverless-esbuild, next to a baseline bundle, built alike, holding only the AWS SDK clients (and
 * the commands sent through them) that the function uses. Cold load is the time `require` of the
 * bundle takes in a fresh `node` process, the median of several processes. Artifact size is the
 * zip `osls package` makes for the function (one per function: package.individually).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../lib/local-stack.ts';
import { median } from './format.ts';
import { progress } from './process.ts';
import type { BundleResult, BundleRow } from './results.ts';

/** Keys of custom.esbuild that serverless-esbuild reads and does not pass on (1.57, bundle.js). */
const PLUGIN_ONLY_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

interface ServerlessConfig {
  provider?: {
    runtime?: string;
    httpApi?: { authorizers?: Record<string, { functionName?: string }> };
  };
  custom?: { esbuild?: Record<string, unknown> };
  functions: Record<string, { handler: string; events?: Array<Record<string, unknown>> }>;
}

function readServerlessConfig(): ServerlessConfig {
  return parse(readFileSync(join(PROJECT_ROOT, 'serverless.yml'), 'utf8'), {
    logLevel: 'silent',
  }) as ServerlessConfig;
}

/**
 * The esbuild options serverless-esbuild builds each function with, from serverless.yml's
 * custom.esbuild over the plugin's defaults, so the bench cannot measure another build than the
 * deployed one.
 */
function esbuildOptions(config: ServerlessConfig): BuildOptions {
  const custom = config.custom?.esbuild ?? {};
  for (const key of ['config', 'plugins']) {
    if (key in custom)
      throw new Error(`custom.esbuild.${key} names a script the bench does not run`);
  }
  const runtime = /^nodejs(\d+)\.x$/.exec(config.provider?.runtime ?? '');
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: 'node',
    ...(runtime ? { target: `node${runtime[1]}` } : {}),
    exclude: ['aws-sdk'],
    ...custom,
  };
  const asList = (value: unknown) =>
    (Array.isArray(value) ? value : [value]).filter((item) => typeof item === 'string');
  const exclude = asList(merged.exclude);
  const options = Object.fromEntries(
    Object.entries(merged).filter(([key]) => !PLUGIN_ONLY_KEYS.includes(key)),
  );
  // A Serverless variable here would reach esbuild unresolved and build something else.
  const unresolved = JSON.stringify(options).match(/\$\{[^}]*\}/);
  if (unresolved) {
    throw new Error(`custom.esbuild holds ${unresolved[0]}, which the bench cannot resolve`);
  }
  return {
    ...options,
    external: [...asList(merged.external), ...(exclude.includes('*') ? [] : exclude)],
  };
}

const DYNAMODB_CLIENTS = `
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand,
  TransactWriteCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
export const dynamoDb = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});
export const used = {
  BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand,
  TransactionCanceledException, unmarshall,
};
`;

const SES_CLIENT = `
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
export const ses = new SESClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
export const sesUsed = { SendEmailCommand };
`;

/** The SDK clients a baseline may hold, by the package that gives each away in a bundle. */
const CLIENTS = [
  { name: 'dynamodb', pkg: '@aws-sdk/client-dynamodb', source: DYNAMODB_CLIENTS },
  { name: 'ses', pkg: '@aws-sdk/client-ses', source: SES_CLIENT },
] as const;

/** The baseline for a bundle: the clients it holds, e.g. "dynamodb+ses"; "" for none. */
const baselineFor = (packages: Map<string, number>) =>
  CLIENTS.filter((client) => packages.has(client.pkg))
    .map((client) => client.name)
    .join('+');

interface FunctionEntry {
  /** Its key in serverless.yml, which names its packaged zip. */
  key: string;
  name: string;
  file: string;
  /** What triggers it: httpApi, authorizer (of the HTTP API), stream, schedule… */
  trigger: string;
}

/** The deployed functions, from serverless.yml: their handler files and triggers. */
function deployedFunctions(config: ServerlessConfig): FunctionEntry[] {
  const authorizers = new Set(
    Object.values(config.provider?.httpApi?.authorizers ?? {}).map((a) => a.functionName),
  );
  return Object.entries(config.functions).map(([key, fn]) => {
    const events = [...new Set((fn.events ?? []).flatMap((event) => Object.keys(event)))];
    return {
      key,
      name: basename(fn.handler.replace(/\.[^./]+$/, '')),
      file: `${fn.handler.replace(/\.[^./]+$/, '')}.ts`,
      trigger: authorizers.has(key) ? 'authorizer' : events.join('+') || 'none',
    };
  });
}

/** Output bytes per package (or project folder) of a bundle, from esbuild's metafile. */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? `${path.split('/')[0]}/`;
      bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return bytes;
}

/** The packages that add the most over the baseline, e.g. "zod +445 KB, lib/ +34 KB". */
function largestAdditions(own: Map<string, number>, baseline: Map<string, number>): string {
  return [...own]
    .map(([name, bytes]) => [name, bytes - (baseline.get(name) ?? 0)] as const)
    .filter(([, extra]) => extra >= 1024)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(
      ([name, extra]) =>
        `${name.replace('@aws-lambda-powertools/', 'powertools/')} +${Math.round(extra / 1024)}`,
    )
    .join(', ');
}

const LOAD_SCRIPT =
  'const t=process.hrtime.bigint();require(process.argv[1]);' +
  'console.log(Number(process.hrtime.bigint()-t)/1e6)';

function coldLoadMs(file: string, cwd: string): number {
  const out = execFileSync(process.execPath, ['-e', LOAD_SCRIPT, file], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return Number(out.trim());
}

/** Each function's packaged artifact in KB, by its serverless.yml key. */
function artifactSizes(dir: string): Map<string, number> {
  const out = join(dir, 'package');
  execFileSync(
    process.execPath,
    [
      join(PROJECT_ROOT, 'node_modules/serverless/bin/serverless.js'),
      'package',
      '--stage',
      'bench',
      '--package',
      out,
    ],
    {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        MAIL_FROM: process.env.MAIL_FROM || 'no-reply@mail.backup-provisioning.test',
        // Its own work folder: a running local stack serves from .esbuild.
        ESBUILD_WORK_FOLDER: '.data/esbuild-bench',
      },
    },
  );
  return new Map(
    readdirSync(out)
      .filter((file) => file.endsWith('.zip'))
      .map((file) => [file.replace(/\.zip$/, ''), statSync(join(out, file)).size / 1024]),
  );
}

export async function measureBundles(loads: number): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const config = readServerlessConfig();
    const functions = deployedFunctions(config);
    // The baselines too: a ratio between builds made differently would measure the options.
    const esbuild: BuildOptions = {
      ...esbuildOptions(config),
      logLevel: 'silent',
      metafile: true,
    };
    progress('section 3: packaging the functions with osls package');
    const artifacts = artifactSizes(dir);
    progress(`section 3: bundling ${functions.length} functions and their baselines with esbuild`);
    const bundles = new Map<string, { file: string; packages: Map<string, number> }>();
    const bundle = async (key: string, options: BuildOptions) => {
      const outfile = join(dir, `${key.replace(/[^a-z0-9+-]/gi, '_')}.cjs`);
      const result = await build({ ...esbuild, ...options, absWorkingDir: PROJECT_ROOT, outfile });
      bundles.set(key, { file: outfile, packages: bytesByPackage(result.metafile as Metafile) });
    };
    for (const fn of functions) {
      await bundle(fn.name, { entryPoints: [join(PROJECT_ROOT, fn.file)] });
    }
    const baselines = new Set(
      functions.map((fn) => baselineFor(bundles.get(fn.name)?.packages ?? new Map())),
    );
    baselines.delete('');
    for (const name of baselines) {
      const contents = CLIENTS.filter((client) => name.split('+').includes(client.name))
        .map((client) => client.source)
        .join('\n');
      await bundle(`baseline:${name}`, {
        stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `baseline-${name}.ts` },
      });
    }

    // Rounds over every bundle, so a slow moment of the machine touches all of them alike.
    const times = new Map<string, number[]>([...bundles.keys()].map((key) => [key, []]));
    for (let round = 1; round <= loads; round++) {
      progress(`section 3: cold loads, round ${round}/${loads}`);
      for (const [key, { file }] of bundles) times.get(key)?.push(coldLoadMs(file, dir));
    }

    const none = { file: '', packages: new Map<string, number>() };
    const rows: BundleRow[] = functions.map((fn) => {
      const own = bundles.get(fn.name) ?? none;
      const baselineName = baselineFor(own.packages);
      const baseline = bundles.get(`baseline:${baselineName}`) ?? none;
      const loadMs = median(times.get(fn.name) ?? []);
      // Without an SDK client there is nothing to compare with.
      const baselineMs = baseline.file ? median(times.get(`baseline:${baselineName}`) ?? []) : NaN;
      return {
        fn: fn.name,
        trigger: fn.trigger,
        http: fn.trigger === 'httpApi' || fn.trigger === 'authorizer',
        sendsEmail: own.packages.has('@aws-sdk/client-ses'),
        baseline: baselineName || 'none',
        sizeKb: statSync(own.file).size / 1024,
        artifactKb: artifacts.get(fn.key) ?? NaN,
        baselineKb: baseline.file ? statSync(baseline.file).size / 1024 : 0,
        loadMs,
        baselineMs,
        ratio: loadMs / baselineMs,
        additions: largestAdditions(own.packages, baseline.packages),
      };
    });
    return { loads, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
