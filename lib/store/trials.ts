/**
 * The trial index and the job's writes. Each transition is conditioned on the stage it moves
 * from and the trial end it was computed for, so a second or concurrent run finds nothing to
 * do and no e-mail is queued twice.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import type { Account } from '#lib/model.ts';
import type { TrialStage } from '#lib/rules/trials.ts';
import { accountFromItem, withTrialIndex } from './items.ts';
import { ENTITY, INDEX, keys } from './keys.ts';
import { getItem, type Item, type WriteStep, write, writeItem } from './table.ts';

export interface DuePage {
  accounts: Account[];
  next: Record<string, unknown> | undefined;
  consumedCapacity: number;
}

export async function dueTrialsPage(
  day: string,
  nowIso: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<DuePage> {
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: INDEX.trialDue.name,
      KeyConditionExpression: '#day = :day AND #due <= :upTo',
      ExpressionAttributeNames: { '#day': INDEX.trialDue.partition, '#due': INDEX.trialDue.sort },
      ExpressionAttributeValues: {
        ':day': keys.trialDueDay(day),
        ':upTo': keys.trialDueUpTo(nowIso),
      },
      Limit: limit,
      ExclusiveStartKey: startKey,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return {
    accounts: (out.Items ?? []).map((item: Item) => accountFromItem(item)),
    next: out.LastEvaluatedKey,
    consumedCapacity: out.ConsumedCapacity?.CapacityUnits ?? 0,
  };
}

const transitionCondition =
  'trialStage = :from AND trialEndsAt = :endsAt AND #status = :active AND updatedAt = :seen';

/** Moves an open trial to its next stage (or out of the index when `to` is null). */
export function advanceTrialStep(account: Account, from: TrialStage, next: Account): WriteStep {
  const values: Record<string, unknown> = {
    ':from': from,
    ':endsAt': account.trialEndsAt,
    ':active': 'active',
    ':seen': account.updatedAt,
    ':stage': next.trialStage,
    ':status': next.status,
    ':at': next.updatedAt,
  };
  const expression = withTrialIndex(
    'SET trialStage = :stage, #status = :status, updatedAt = :at',
    values,
    next,
  );
  return {
    item: write.update(
      keys.account(account.partnerId, account.companyId, account.id),
      expression,
      values,
      {
        condition: transitionCondition,
        names: { '#status': 'status' },
      },
    ),
  };
}

/** Expires a sub-account with its parent, unless it has changed since (e.g. been cancelled). */
export function expireSubAccountStep(sub: Account, at: string): WriteStep {
  return {
    item: write.update(
      keys.account(sub.partnerId, sub.companyId, sub.id),
      'SET #status = :expired, updatedAt = :at',
      { ':expired': 'expired', ':at': at, ':active': 'active', ':endsAt': sub.trialEndsAt },
      { condition: '#status = :active AND trialEndsAt = :endsAt', names: { '#status': 'status' } },
    ),
  };
}

export async function lastCompletedDay(): Promise<string | null> {
  const item = await getItem(keys.trialJobState());
  return (item?.lastCompletedDay as string | undefined) ?? null;
}

/**
 * Records that every day before `day`, the run's today, is done. Unconditional: it replaces a
 * mark past today (which no run as of the real time leaves), and one moved back by a run that
 * finished late only makes the next run read a day more, never less.
 */
export async function markCompletedThrough(day: string): Promise<void> {
  await writeItem(
    write.put({ ...keys.trialJobState(), entity: ENTITY.jobState, lastCompletedDay: day }),
  );
}
