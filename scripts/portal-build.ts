/** `npm run portal:build`: the portal's production build in portal/dist (git-ignored). */
import { rmSync } from 'node:fs';
import { buildPortal, PORTAL_DIST } from './lib/portal-build.ts';

// Built from scratch: the up-to-date check is for `npm start`, not for a release.
rmSync(PORTAL_DIST, { recursive: true, force: true });
await buildPortal((line) => console.log(line));
console.log(`Built ${PORTAL_DIST}`);
