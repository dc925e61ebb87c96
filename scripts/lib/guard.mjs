// Ends the local stack's process groups when the process that started them dies, however it
// dies: a SIGKILL runs no handler, but it closes this process's stdin, the pipe it was given.
// Then it removes the scratch folders it was given, which no handler ran to remove.
// Protocol on stdin, one line each: `add <pgid>`, `remove <pgid>`, `dir <path>`, `undir <path>`.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const groups = new Set();
const dirs = new Set();
let buffer = '';

// Ctrl-C reaches the whole terminal group; the guard outlives it to do its work.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

const alive = (group) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};
const signalAll = (signal) => {
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {
      // gone already
    }
  }
};

async function untilEnded(ms) {
  const deadline = Date.now() + ms;
  while ([...groups].some(alive) && Date.now() < deadline) await sleep(50);
}

async function endAll() {
  signalAll('SIGTERM');
  await untilEnded(5000);
  signalAll('SIGKILL');
  await untilEnded(2000);
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a folder still in use stays; the others are still removed
    }
  }
  process.exit(0);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  const lines = buffer.split('\n');
  buffer = lines.pop() ?? '';
  for (const line of lines) {
    const space = line.indexOf(' ');
    const command = line.slice(0, space);
    const argument = line.slice(space + 1);
    if (command === 'add') groups.add(Number(argument));
    else if (command === 'remove') groups.delete(Number(argument));
    else if (command === 'dir') dirs.add(argument);
    else if (command === 'undir') dirs.delete(argument);
  }
});
process.stdin.on('end', endAll);
process.stdin.on('error', endAll);
