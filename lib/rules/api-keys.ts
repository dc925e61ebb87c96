/** How often a key's last use is recorded: a busy integration does not write on every request. */
export const TOUCH_INTERVAL_MS = 60_000;

/** The last use before which a key is due a new one at `now`. */
export const touchedBefore = (now: Date): string =>
  new Date(now.getTime() - TOUCH_INTERVAL_MS).toISOString();

/** Whether a key last used at `lastUsedAt` is due a new `lastUsedAt` at `now`. */
export const touchDue = (lastUsedAt: string | null, now: Date): boolean =>
  lastUsedAt === null || lastUsedAt < touchedBefore(now);
