import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds the portal (portal/) with Vite into portal/dist, unless the build is newer than every source. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PORTAL_DIR = join(ROOT, 'portal');
export const PORTAL_DIST = join(PORTAL_DIR, 'dist');
const SOURCES = [
  join(PORTAL_DIR, 'src'),
  join(PORTAL_DIR, 'index.html'),
  join(PORTAL_DIR, 'vite.config.ts'),
  join(ROOT, 'client', 'schema.d.ts'),
  join(ROOT, 'client', 'index.ts'),
  join(ROOT, 'package-lock.json'),
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

export function portalUpToDate(): boolean {
  const built = join(PORTAL_DIST, 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.every((source) => newest(source) <= builtAt);
}

const require = createRequire(import.meta.url);

export async function buildPortal(log: (line: string) => void = () => {}): Promise<void> {
  if (portalUpToDate()) return;
  // Into a folder of its own, then moved: a stack already serving portal/dist never sees half a build.
  const outDir = join(PORTAL_DIR, `.dist-${process.pid}-${Date.now()}`);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir'], {
      cwd: PORTAL_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const line of output.split('\n')) if (line.trim()) log(line);
      if (code === 0) resolve();
      else reject(new Error(`The portal's build failed (${code}):\n${output}`));
    });
  });
  rmSync(PORTAL_DIST, { recursive: true, force: true });
  renameSync(outDir, PORTAL_DIST);
}
