import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

/** The machine's own Node: the first on PATH that is not the project's node_modules/.bin one. */
function machineNode(): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .map((dir) => join(dir, 'node'))
    .find((file) => existsSync(file));
}

describe('the runtime', () => {
  it('is Node 22 or newer, as deployed (nodejs22.x)', () => {
    expect(major(process.versions.node)).toBeGreaterThanOrEqual(22);
  });

  it('is what scripts/node22.mjs runs a command on, from whatever Node starts it', () => {
    const node = machineNode();
    expect(node).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'bp-node22-'));
    try {
      const script = join(dir, 'print.ts');
      // A TypeScript file, as the npm scripts run them, with its own arguments.
      writeFileSync(
        script,
        'const v: string = process.version;\nconsole.log(JSON.stringify([v, process.argv.slice(2)]));\n',
      );
      const [version, args] = JSON.parse(
        execFileSync(node as string, ['scripts/node22.mjs', script, '--flag', 'x'], {
          encoding: 'utf8',
        }),
      );
      expect(major(version)).toBeGreaterThanOrEqual(22);
      expect(args).toEqual(['--flag', 'x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
