/**
 * Process plumbing for the benchmark: each measuring section runs in a child process of its own
 * (the service's clients read their endpoint at module load, and in-process timings should not
 * share a heap with the other sections). A child writes its result as JSON to the file named by
 * `--out`; it stops everything it started on success, on failure and on SIGINT/SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether nothing listens on the port (on any interface, as DynamoDB Local binds). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** The first free port from `start` on. */
export async function freePortFrom(start: number, tries = 50): Promise<number> {
  for (let port = start; port < start + tries; port++) {
    if (await portIsFree(port)) return port;
  }
  throw new Error(`No free port in ${start}–${start + tries - 1}`);
}

export async function requireFreePorts(ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portIsFree(port))) busy.push(`${name} ${port}`);
  }
  if (busy.length > 0) throw new Error(`Ports in use: ${busy.join(', ')} (stop what holds them)`);
}

/** Progress goes to stderr so that stdout holds only the report. */
export const progress = (message: string) =>
  process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${message}\n`);

let running: ChildProcess | null = null;
let interrupted: NodeJS.Signals | null = null;

/**
 * A signal to the benchmark is passed on to the running child, which stops what it started;
 * the benchmark exits when the child has.
 */
export function forwardSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = signal;
      if (running && running.exitCode === null) running.kill(signal);
      else process.exit(130);
    });
  }
}

/** Runs `node --import tsx <script> --out <file> ...args` and returns the JSON it wrote. */
export async function runChild<T>(script: string, args: string[]): Promise<T> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-result-'));
  const out = join(scratch, 'result.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--out', out, ...args], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    running = child;
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    running = null;
    if (interrupted) {
      rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    }
    if (code !== 0) throw new Error(`${script} failed (exit code ${code})`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    running = null;
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * For a child: runs `main` with a list of clean-ups that run once, in reverse order, when it
 * ends, fails or is interrupted.
 */
export async function runWithCleanup(
  main: (cleanups: Array<() => Promise<void> | void>) => Promise<void>,
): Promise<void> {
  const cleanups: Array<() => Promise<void> | void> = [];
  let cleaning: Promise<void> | null = null;
  const cleanUp = () => {
    cleaning ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          console.error(`Clean-up failed: ${(error as Error).message}`);
        }
      }
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      void cleanUp().then(() => process.exit(130));
    });
  }
  // A closed output pipe must not end the process before its clean-ups have run.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  process.on('uncaughtException', (error) => {
    console.error(error);
    void cleanUp().then(() => process.exit(1));
  });
  try {
    await main(cleanups);
  } catch (error) {
    console.error((error as Error).stack ?? String(error));
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

const NOTABLE: Array<[string, RegExp]> = [
  ['DynamoDB Local', /DynamoDBLocal\.jar/],
  ['serverless-offline', /serverless\.js\s+offline/],
  ['vitest', /vitest/],
];

/**
 * Other processes that load the machine (a test run, another local stack), found in /proc, and
 * the 1-minute load average: the figures are only as quiet as the machine.
 */
export function machineActivity(): string {
  const found = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    // not Linux
  }
  for (const pid of entries) {
    if (Number(pid) === process.pid) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    for (const [name, pattern] of NOTABLE) {
      if (pattern.test(cmdline)) found.set(name, (found.get(name) ?? 0) + 1);
    }
  }
  const others = [...found].map(([name, count]) => `${count} × ${name}`).join(', ');
  return `load average ${loadavg()[0]?.toFixed(2)}; ${others ? `other processes: ${others}` : 'no other stack or test run'}`;
}
