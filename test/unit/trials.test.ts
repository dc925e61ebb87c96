import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  daysLeft,
  daysToScan,
  dueBucket,
  firstPendingStage,
  stageAfter,
  stageDueAt,
  stageToRun,
  TRIAL_STAGES,
} from '#lib/rules/trials.ts';

const END = '2027-01-31T10:00:00.000Z';
const DAY = 86_400_000;
const endMinus = (days: number, extraMs = 0) =>
  new Date(Date.parse(END) - days * DAY + extraMs).toISOString();

describe('trial stages', () => {
  it('are due 7 days, 1 day and 0 days before the end', () => {
    expect(stageDueAt(END, 'reminder-7')).toBe(endMinus(7));
    expect(stageDueAt(END, 'reminder-1')).toBe(endMinus(1));
    expect(stageDueAt(END, 'expire')).toBe(END);
  });

  it('count the days left from when the reminder goes out, a part day as a day', () => {
    expect(daysLeft(END, endMinus(7))).toBe(7);
    expect(daysLeft(END, endMinus(7, 3_600_000))).toBe(7);
    // A 7-day reminder sent three days late by a job that missed them.
    expect(daysLeft(END, endMinus(4, 60_000))).toBe(4);
    expect(daysLeft(END, endMinus(1))).toBe(1);
    expect(daysLeft(END, endMinus(0, 1))).toBe(0);
  });

  it('start with the first stage still ahead', () => {
    expect(firstPendingStage(END, endMinus(30))).toBe('reminder-7');
    expect(firstPendingStage(END, endMinus(5))).toBe('reminder-1');
    expect(firstPendingStage(END, endMinus(0, -1))).toBe('expire');
    expect(firstPendingStage(END, endMinus(-3))).toBe('expire');
  });

  it('run the latest stage already due, never an earlier one', () => {
    expect(stageToRun(END, 'reminder-7', endMinus(8))).toBeNull();
    expect(stageToRun(END, 'reminder-7', endMinus(7))).toBe('reminder-7');
    expect(stageToRun(END, 'reminder-7', endMinus(1))).toBe('reminder-1');
    expect(stageToRun(END, 'reminder-7', endMinus(-1))).toBe('expire');
    expect(stageToRun(END, 'reminder-1', endMinus(3))).toBeNull();
  });

  it('follow one another and end', () => {
    expect(TRIAL_STAGES.map(stageAfter)).toEqual(['reminder-1', 'expire', null]);
  });

  it('never run a stage before it is due (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20 * DAY, max: 40 * DAY }),
        fc.constantFrom(...TRIAL_STAGES),
        (offset, pending) => {
          const now = new Date(Date.parse(END) - offset).toISOString();
          const stage = stageToRun(END, pending, now);
          if (stage === null) return stageDueAt(END, pending) > now;
          return (
            stageDueAt(END, stage) <= now &&
            TRIAL_STAGES.indexOf(stage) >= TRIAL_STAGES.indexOf(pending)
          );
        },
      ),
    );
  });
});

describe('day buckets', () => {
  it('file an item under its due day, or the day it was written if that is later', () => {
    expect(dueBucket('2027-01-24T10:00:00.000Z', '2027-01-01T08:00:00.000Z')).toBe('2027-01-24');
    expect(dueBucket('2027-01-24T10:00:00.000Z', '2027-01-26T08:00:00.000Z')).toBe('2027-01-26');
  });

  it('are read from yesterday through today after a daily run', () => {
    expect(daysToScan('2027-01-10', '2027-01-10T09:00:00.000Z')).toEqual([
      '2027-01-09',
      '2027-01-10',
    ]);
  });

  it('are read back to the last completed day after missed runs', () => {
    expect(daysToScan('2027-01-06', '2027-01-09T09:00:00.000Z')).toEqual([
      '2027-01-06',
      '2027-01-07',
      '2027-01-08',
      '2027-01-09',
    ]);
  });

  it('are read back the longest trial on a first run, and never further', () => {
    const first = daysToScan(null, '2027-01-09T09:00:00.000Z', 120);
    expect(first).toHaveLength(121);
    expect(first.at(-1)).toBe('2027-01-09');
    expect(daysToScan('2020-01-01', '2027-01-09T09:00:00.000Z', 120)).toHaveLength(121);
  });
});
