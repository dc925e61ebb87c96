/**
 * The decisions an attempt makes about a window (lib/rules/rate-limit.ts), which the store's
 * conditional writes carry out: take a place, be refused, or open a new window. Pure: the
 * interleavings and clock readings of a burst are generated, not waited for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FailureWindow,
  MAX_FAILURES,
  nextStep,
  openingStart,
  WINDOW_MS,
  windowFloor,
} from '#lib/rules/rate-limit.ts';

const startsMs = Date.parse('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const windowAt = (ms: number, held: number): FailureWindow => ({
  failures: held,
  held,
  windowStartsAt: at(ms),
});

describe('nextStep', () => {
  it('opens a window when there is none, takes a place while one is free, is refused when full', () => {
    // Act / Assess
    expect(nextStep(null, startsMs)).toBe('open');
    expect(nextStep(windowAt(startsMs, MAX_FAILURES - 1), startsMs + 1000)).toBe('take');
    expect(nextStep(windowAt(startsMs, MAX_FAILURES), startsMs + 1000)).toBe('refuse');
  });

  it('is refused by a full window that starts later than its clock reads, rather than replace it', () => {
    // Prepare: an attempt that read the clock a second later opened and filled the window.
    const full = windowAt(startsMs, MAX_FAILURES);

    // Act
    const aSecondBehind = nextStep(full, startsMs - 1000);
    const aMinuteBehind = nextStep(full, startsMs - 60_000);

    // Assess
    expect(aSecondBehind).toBe('refuse');
    expect(aMinuteBehind).toBe('refuse');
  });

  it('opens a new window once 15 minutes passed, or when the window started at or before a lift', () => {
    // Prepare
    const full = windowAt(startsMs, MAX_FAILURES);
    const lift = at(startsMs + 1000);

    // Act / Assess
    expect(nextStep(full, startsMs + WINDOW_MS - 1)).toBe('refuse');
    expect(nextStep(full, startsMs + WINDOW_MS)).toBe('open');
    expect(nextStep(full, startsMs + 2000, MAX_FAILURES, lift)).toBe('open');
    expect(nextStep(full, startsMs + 2000, MAX_FAILURES, at(startsMs))).toBe('open');
    expect(nextStep(full, startsMs + 2000, MAX_FAILURES, at(startsMs - 1))).toBe('refuse');
  });

  it('property: never replaces a window less than 15 minutes old, whatever the clock reads', () => {
    // Prepare: clocks up to an hour behind the window's start, or up to 15 minutes after it.
    const offset = fc.integer({ min: -3_600_000, max: WINDOW_MS - 1 });
    const held = fc.integer({ min: 0, max: MAX_FAILURES });

    // Act / Assess
    fc.assert(
      fc.property(offset, held, (sinceStart, count) => {
        expect(nextStep(windowAt(startsMs, count), startsMs + sinceStart)).not.toBe('open');
      }),
    );
  });

  it('property: a window is replaced only by one that starts after it, and counts at once', () => {
    // Prepare
    const window = fc.integer({ min: -2 * WINDOW_MS, max: 2 * WINDOW_MS });
    const lift = fc.option(fc.integer({ min: -2 * WINDOW_MS, max: 2 * WINDOW_MS }));

    // Act / Assess
    fc.assert(
      fc.property(window, lift, (startOffset, liftOffset) => {
        const liftedAt = liftOffset === null ? null : at(startsMs + liftOffset);
        const old = windowAt(startsMs + startOffset, MAX_FAILURES);
        if (nextStep(old, startsMs, MAX_FAILURES, liftedAt) !== 'open') return;
        const opened = openingStart(startsMs, liftedAt);
        expect(opened > old.windowStartsAt).toBe(true);
        // Counted as lifted itself, it would be replaced by every attempt after it.
        expect(nextStep(windowAt(Date.parse(opened), 1), startsMs, MAX_FAILURES, liftedAt)).toBe(
          'take',
        );
      }),
    );
  });

  it('opens a window at the lift plus a millisecond when its clock reads the lift or earlier', () => {
    // Prepare
    const lift = at(startsMs);

    // Act / Assess
    expect(openingStart(startsMs, lift)).toBe(at(startsMs + 1));
    expect(openingStart(startsMs - 2000, lift)).toBe(at(startsMs + 1));
    expect(openingStart(startsMs + 2000, lift)).toBe(at(startsMs + 2000));
    expect(openingStart(startsMs)).toBe(at(startsMs));
  });
});

describe('windowFloor', () => {
  it('property: a readable window counts exactly when it starts after the floor', () => {
    // Prepare: the store's conditions compare start and floor as strings.
    const offset = fc.integer({ min: -3 * WINDOW_MS, max: 3 * WINDOW_MS });
    const lift = fc.option(fc.integer({ min: -3 * WINDOW_MS, max: 3 * WINDOW_MS }));

    // Act / Assess
    fc.assert(
      fc.property(offset, lift, (startOffset, liftOffset) => {
        const liftedAt = liftOffset === null ? null : at(startsMs + liftOffset);
        const window = windowAt(startsMs + startOffset, 0);
        const counts = window.windowStartsAt > windowFloor(startsMs, liftedAt);
        expect(nextStep(window, startsMs, MAX_FAILURES, liftedAt) !== 'open').toBe(counts);
      }),
    );
  });
});

/**
 * One window item and a burst of attempts, each a step at a time in a generated order, with the
 * store's two conditional writes (lib/store/limits.ts `takePlace`) as atomic steps:
 * - take: `windowStartsAt > :floor AND held < :max` → held + 1; when it fails, the item as it was
 *   (ALL_OLD) decides the next step with `nextStep`;
 * - open: `attribute_not_exists(windowStartsAt) OR windowStartsAt <= :floor` → a new window.
 */
function runBurst(clockOffsets: number[], schedule: number[], max: number) {
  let item: FailureWindow | null = null;
  const replaced: Array<{ old: string; by: string }> = [];
  const placesByWindow = new Map<string, number>();
  type State = { step: 'take' | 'open' | 'done'; rounds: number; nowMs: number; outcome?: string };
  const attempts: State[] = clockOffsets.map((offset) => ({
    step: 'take',
    rounds: 0,
    nowMs: startsMs + offset,
  }));
  const advance = (attempt: State) => {
    const floor = windowFloor(attempt.nowMs);
    if (attempt.step === 'take') {
      if (item && item.windowStartsAt > floor && item.held < max) {
        item = { ...item, held: item.held + 1 };
        placesByWindow.set(item.windowStartsAt, (placesByWindow.get(item.windowStartsAt) ?? 0) + 1);
        Object.assign(attempt, { step: 'done', outcome: 'ticket' });
        return;
      }
      const next = nextStep(item, attempt.nowMs, max);
      if (next === 'refuse') Object.assign(attempt, { step: 'done', outcome: 'refused' });
      else if (next === 'open') attempt.step = 'open';
      return;
    }
    if (!item || item.windowStartsAt <= floor) {
      const opened = windowAt(Date.parse(openingStart(attempt.nowMs)), 1);
      if (item) replaced.push({ old: item.windowStartsAt, by: opened.windowStartsAt });
      item = opened;
      placesByWindow.set(opened.windowStartsAt, 1);
      Object.assign(attempt, { step: 'done', outcome: 'ticket' });
      return;
    }
    attempt.rounds++;
    if (attempt.rounds >= 5) Object.assign(attempt, { step: 'done', outcome: 'gave up' });
    else attempt.step = 'take';
  };
  const pending = () => attempts.filter((attempt) => attempt.step !== 'done');
  for (const pick of schedule) {
    const open = pending();
    if (open.length === 0) break;
    advance(open[pick % open.length] as State);
  }
  for (let open = pending(); open.length > 0; open = pending()) advance(open[0] as State);
  return { attempts, replaced, placesByWindow };
}

describe('a burst of attempts at one window, in any order and with any clocks', () => {
  it('property: no more than the limit hold places in any window, and every attempt is decided', () => {
    // Prepare: clocks read up to 3 seconds apart; sometimes one reads past the window's end.
    const offsets = fc.array(
      fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.constant(WINDOW_MS + 1)),
      { minLength: 1, maxLength: 40 },
    );
    const schedule = fc.array(fc.nat(), { maxLength: 200 });
    const max = fc.constantFrom(MAX_FAILURES, 50);

    // Act / Assess
    fc.assert(
      fc.property(offsets, schedule, max, (clockOffsets, order, limit) => {
        const { attempts, replaced, placesByWindow } = runBurst(clockOffsets, order, limit);
        for (const places of placesByWindow.values()) expect(places).toBeLessThanOrEqual(limit);
        for (const { old, by } of replaced) expect(by > old).toBe(true);
        expect(attempts.filter((attempt) => attempt.outcome === 'gave up')).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
