import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Every long-lived child of the local stack runs in a process group of its own (so its own
 * children go with it) and is registered here: stopEveryChild() ends them all from inside, and a
 * guard process ends them when this process dies without running any handler (SIGKILL), then
 * removes the scratch folders registered with it.
 */
const groups = new Set<number>();
let guard: ChildProcess | undefined;

function guardProcess(): ChildProcess {
  if (!guard) {
    guard = spawn(process.execPath, [fileURLToPath(new URL('./guard.mjs', import.meta.url))], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Outside the terminal's process group, and not waited for by this process.
      detached: true,
    });
    guard.stdin?.on('error', () => {});
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void }).unref?.();
  }
  return guard;
}

const groupAlive = (group: number) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

/** Registers a child spawned with `detached: true`, i.e. as the leader of its own group. */
export function endWithThisProcess(child: ChildProcess): void {
  const group = child.pid;
  if (!group) return;
  groups.add(group);
  guardProcess().stdin?.write(`add ${group}\n`);
  child.once('exit', () => {
    // A group whose leader left may still hold its workers: it stays registered until empty.
    if (groupAlive(group)) return;
    groups.delete(group);
    guard?.stdin?.write(`remove ${group}\n`);
  });
}

/**
 * A scratch folder the guard removes if this process dies without a handler; `forget` is for
 * when this process has removed it itself. Paths go one per line, so none may hold a newline.
 */
export function removeWithThisProcess(dir: string): { forget: () => void } {
  if (dir.includes('\n')) throw new Error(`A scratch folder's path holds a newline: ${dir}`);
  guardProcess().stdin?.write(`dir ${dir}\n`);
  return { forget: () => guard?.stdin?.write(`undir ${dir}\n`) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ends every registered group: SIGTERM, then SIGKILL for what is left after 5 s. */
export async function stopEveryChild(): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const group of groups) {
      try {
        process.kill(-group, name);
      } catch {
        groups.delete(group);
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 5000;
  while ([...groups].some(groupAlive) && Date.now() < deadline) await sleep(100);
  signal('SIGKILL');
  const killed = Date.now() + 2000;
  while ([...groups].some(groupAlive) && Date.now() < killed) await sleep(50);
  groups.clear();
}
