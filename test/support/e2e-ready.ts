import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, inject } from 'vitest';

const READY_WITHIN_MS = 240_000;

/** Each e2e file starts once the stack its global set-up began in the background is ready. */
beforeAll(async () => {
  const stateFile = inject('stackStateFile');
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const state = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : '';
    if (state === 'ready') return;
    if (state) throw new Error(`The e2e stack did not start: ${state}`);
    if (Date.now() > deadline)
      throw new Error(`The e2e stack was not ready in ${READY_WITHIN_MS} ms`);
    await sleep(250);
  }
}, READY_WITHIN_MS + 5_000);
