/**
 * The attempt windows of the rate limit (rules in lib/rules/rate-limit.ts, told in
 * docs/rate-limits.md "How a window holds"): global items keyed by digests, expiring by TTL,
 * holding counts and times, never what was tried; one conditional write per decision.
 */
import { keyedDigest } from '#lib/auth/signing-key.ts';
import {
  type AttemptKind,
  type FailureWindow,
  isTrusted,
  MAX_FAILURES,
  MAX_FAILURES_PER_USERNAME,
  nextStep,
  openingStart,
  TRUST_MS,
  WINDOW_MS,
  windowFloor,
} from '#lib/rules/rate-limit.ts';
import { ATTRIBUTE, ENTITY, type Key, keys } from './keys.ts';
import { getItem, type Item, type WriteStep, write, writeItem } from './table.ts';

export const windowFromItem = (item: Item | undefined): FailureWindow | null =>
  item && typeof item.held === 'number' && typeof item.windowStartsAt === 'string'
    ? {
        failures: typeof item.failures === 'number' ? item.failures : 0,
        held: item.held,
        windowStartsAt: item.windowStartsAt,
      }
    : null;

const trustedUntilOf = (item: Item | undefined): string | null =>
  typeof item?.trustedUntil === 'string' ? item.trustedUntil : null;

/** What was typed as a username is kept only as a keyed digest: it may be a password. */
const usernameKey = async (kind: AttemptKind, username: string) =>
  keys.attempts(kind, await keyedDigest('attempts', username));

const sourceKey = async (kind: AttemptKind, username: string, source: string) =>
  keys.attemptsFrom(kind, await keyedDigest('attempts-from', `${username}\n${source}`));

/** One try at a username's password or secret answer, from a source address. */
export interface Attempt {
  kind: AttemptKind;
  username: string;
  source: string;
}

/** A place held in one window, named by the window's start so it is never taken for another. */
interface Place {
  key: Key;
  windowStartsAt: string;
}

/** An attempt that may be checked, and the places it holds. */
export interface Ticket {
  source: Place;
  /** Null when a trusted source is let through a full username window. */
  username: Place | null;
}

/** The full window that refuses an attempt, and its limit. */
export interface Refusal {
  window: FailureWindow;
  max: number;
}

/** The username's window, or with a source that source's window (tests and operators). */
export async function readFailureWindow(
  kind: AttemptKind,
  username: string,
  source?: string,
): Promise<FailureWindow | null> {
  const key =
    source === undefined
      ? await usernameKey(kind, username)
      : await sourceKey(kind, username, source);
  return windowFromItem(await getItem(key));
}

/** Until when a source is trusted for a username; null when it is not. */
export async function readTrustedUntil(
  kind: AttemptKind,
  username: string,
  source: string,
): Promise<string | null> {
  return trustedUntilOf(await getItem(await sourceKey(kind, username, source)));
}

const OPENING_ATTEMPTS = 5;

const epochSeconds = (ms: number) => Math.ceil(ms / 1000);
const windowExpiresAt = (startMs: number) => epochSeconds(startMs + WINDOW_MS) + 60;

/** A place taken in the window as it now is, or the full window that refuses it. */
type Placed =
  | { full: null; place: Place; trustedUntil: string | null; liftedAt: string | null }
  | { full: FailureWindow; item: Item; liftedAt: string | null };

const liftedAtOf = (item: Item | undefined): string | null =>
  typeof item?.liftedAt === 'string' ? item.liftedAt : null;

const placed = (key: Key, item: Item): Placed => ({
  full: null,
  place: { key, windowStartsAt: String(item.windowStartsAt) },
  trustedUntil: trustedUntilOf(item),
  liftedAt: liftedAtOf(item),
});

/**
 * Takes a place in one window, or opens a new window with it. A window is replaced only when it
 * ended or started at or before `liftedAt`, never because this attempt's clock reads earlier than
 * its start, and the new window starts after it: so the places of a window that counts are never
 * lost, and no more attempts than `max` hold places in it, whatever the interleaving and the
 * clock readings. Opening a window keeps the source's trust (on the condition that it is still
 * the trust read, so a trust given meanwhile is not lost), and the item lives as long as the
 * later of the window and the trust.
 */
async function takePlace(
  key: Key,
  max: number,
  now: Date,
  liftedAt: string | null,
): Promise<Placed> {
  const nowMs = now.getTime();
  // The conditions below are the rules' `nextStep`, written for DynamoDB.
  const floor = windowFloor(nowMs, liftedAt);
  for (let round = 0; round < OPENING_ATTEMPTS; round++) {
    const taken = await writeItem(
      write.update(
        key,
        'SET held = held + :one',
        { ':one': 1, ':floor': floor, ':max': max },
        { condition: 'attribute_exists(PK) AND windowStartsAt > :floor AND held < :max' },
      ),
      { returnItem: true },
    );
    if (taken.written) return placed(key, taken.item as Item);
    const old = taken.current ?? (await getItem(key));
    const window = windowFromItem(old);
    const step = nextStep(window, nowMs, max, liftedAt);
    if (step === 'refuse' && window && old)
      return { full: window, item: old, liftedAt: liftedAtOf(old) };
    // A place was given back between the update and the read: take it.
    if (step === 'take') continue;
    const trustedUntil = trustedUntilOf(old);
    const trustEndsMs = trustedUntil ? Date.parse(trustedUntil) : 0;
    const windowStartsAt = openingStart(nowMs, liftedAt);
    const item = {
      ...key,
      entity: ENTITY.attempts,
      failures: 0,
      held: 1,
      windowStartsAt,
      ...(trustedUntil && { trustedUntil }),
      [ATTRIBUTE.expiresAt]: Math.max(
        windowExpiresAt(Date.parse(windowStartsAt)),
        epochSeconds(trustEndsMs),
      ),
    };
    const opened = await writeItem(
      write.put(
        item,
        `(attribute_not_exists(windowStartsAt) OR windowStartsAt <= :floor) AND ${
          trustedUntil ? 'trustedUntil = :trust' : 'attribute_not_exists(trustedUntil)'
        }`,
        { ':floor': floor, ...(trustedUntil && { ':trust': trustedUntil }) },
      ),
    );
    if (opened.written) return placed(key, item);
    // Another attempt opened the window, or a success trusted the source, meanwhile: read again.
  }
  throw new Error('Could not count an attempt');
}

/**
 * Changes a window's counts, on the condition that it is still the window the place was taken
 * in. False when it is not: the window ended or was lifted meanwhile, and is left be.
 */
async function updatePlace(
  place: Place,
  update: string,
  values: Record<string, unknown> = {},
  condition = '',
): Promise<boolean> {
  const changed = await writeItem(
    write.update(
      place.key,
      update,
      { ...values, ':window': place.windowStartsAt },
      { condition: `windowStartsAt = :window${condition}` },
    ),
  );
  return changed.written;
}

const givePlaceBack = (place: Place) =>
  updatePlace(place, 'SET held = held - :one', { ':one': 1, ':zero': 0 }, ' AND held > :zero');

/**
 * Takes the attempt's places: first its source's, so an address over its limit is turned away
 * without touching the username's window, then the username's (which also says when the limits
 * were last lifted: a source window opened before that counts as ended). A full username window
 * refuses the attempt unless the source is trusted. Returns the ticket of an attempt that may be
 * checked, or the refusal.
 */
export async function reserveAttempt(
  attempt: Attempt,
  now: Date,
): Promise<{ ticket: Ticket } | { refusal: Refusal }> {
  const { kind, username, source } = attempt;
  const wideKey = await usernameKey(kind, username);
  const ownKey = await sourceKey(kind, username, source);
  const cap = MAX_FAILURES_PER_USERNAME[kind];
  const refuse = (window: FailureWindow, max: number) => ({ refusal: { window, max } });

  let own = await takePlace(ownKey, MAX_FAILURES, now, null);
  if (own.full) {
    const liftedAt = liftedAtOf(await getItem(wideKey));
    if (!liftedAt || own.full.windowStartsAt > liftedAt) return refuse(own.full, MAX_FAILURES);
    own = await takePlace(ownKey, MAX_FAILURES, now, liftedAt);
    if (own.full) return refuse(own.full, MAX_FAILURES);
  }
  const wide = await takePlace(wideKey, cap, now, null);
  if (wide.liftedAt && own.place.windowStartsAt <= wide.liftedAt) {
    // The source's window opened before the limits were lifted: a new one replaces it.
    own = await takePlace(ownKey, MAX_FAILURES, now, wide.liftedAt);
    if (own.full) {
      if (!wide.full) await givePlaceBack(wide.place);
      return refuse(own.full, MAX_FAILURES);
    }
  }
  if (!wide.full) return { ticket: { source: own.place, username: wide.place } };
  if (isTrusted(own.trustedUntil, now.getTime())) {
    return { ticket: { source: own.place, username: null } };
  }
  await givePlaceBack(own.place);
  return refuse(wide.full, cap);
}

/** A wrong guess: counted as a failure in the windows it holds a place in, which it keeps. */
export async function recordFailure(ticket: Ticket): Promise<void> {
  for (const place of [ticket.username, ticket.source]) {
    if (place) await updatePlace(place, 'SET failures = failures + :one', { ':one': 1 });
  }
}

/**
 * A right guess: the user proved who it is from this source, whose window ends and which is
 * trusted for the username from now on. Its place in the username's window is given back, but the
 * failures there stand: they may come from elsewhere.
 */
export async function endAttempt(ticket: Ticket, now: Date): Promise<void> {
  const trustEndsMs = now.getTime() + TRUST_MS;
  const trust = {
    ':trust': new Date(trustEndsMs).toISOString(),
    ':expires': epochSeconds(trustEndsMs),
  };
  const ended = await updatePlace(
    ticket.source,
    `SET trustedUntil = :trust, ${ATTRIBUTE.expiresAt} = :expires REMOVE windowStartsAt, held, failures`,
    trust,
  );
  if (!ended) {
    // A newer window opened meanwhile, with attempts of its own: it stays, and the source is
    // trusted all the same.
    await writeItem(
      write.update(
        ticket.source.key,
        `SET trustedUntil = :trust, ${ATTRIBUTE.expiresAt} = :expires, ${ATTRIBUTE.entity} = :entity`,
        { ...trust, ':entity': ENTITY.attempts },
      ),
    );
  }
  if (ticket.username) await givePlaceBack(ticket.username);
}

/**
 * Neither right nor wrong: a staff login whose password was right but which brought no second
 * factor yet. Its places are given back, with no failure counted and no trust given, since the
 * member has not proved who it is (a trust would end the source's window of failed codes).
 */
export async function releaseAttempt(ticket: Ticket): Promise<void> {
  for (const place of [ticket.username, ticket.source]) {
    if (place) await givePlaceBack(place);
  }
}

/**
 * Lifts every limit on a username, from every source: its password was just set by someone
 * entitled to. The username's windows restart empty, and source windows opened before now end;
 * trusted sources stay trusted.
 */
export async function liftLimitsSteps(username: string, now: Date): Promise<WriteStep[]> {
  const at = now.toISOString();
  return Promise.all(
    (['login', 'recover'] as const).map(async (kind) => ({
      item: write.put({
        ...(await usernameKey(kind, username)),
        entity: ENTITY.attempts,
        failures: 0,
        held: 0,
        windowStartsAt: at,
        liftedAt: at,
        [ATTRIBUTE.expiresAt]: windowExpiresAt(now.getTime()),
      }),
    })),
  );
}
