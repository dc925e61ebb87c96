import { ulid } from 'ulid';
import type * as z from 'zod/mini';
import type { createdCompanyResponse } from '#lib/api/responses.ts';
import { companyCancelled, poolModeFixed } from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import {
  type Account,
  type Company,
  type CompanyView,
  type Contact,
  companyAddOns,
  toAccountView,
  toCompanyView,
  toContactView,
} from '#lib/model.ts';
import { companyAlert } from '#lib/rules/alert-levels.ts';
import { listedDelta, listedTotalsOf } from '#lib/rules/listed-totals.ts';
import {
  assertFitsPool,
  assertLadderSize,
  assertPoolResize,
  pooledMbOf,
} from '#lib/rules/quota.ts';
import { planCompanySuspension, type SuspensionAction } from '#lib/rules/suspension.ts';
import type { CreateCompanyBody, SuspensionBody, UpdateCompanyBody } from '#lib/schemas.ts';
import {
  allAccounts,
  cancelAccountStep,
  putNewAccount,
  releaseParentMarker,
} from '#lib/store/accounts.ts';
import { alertSteps } from '#lib/store/alerts.ts';
import {
  cancelCompanyStep,
  changeAllocation,
  listCompanies as listCompanyPage,
  putNewCompany,
  requireCompany,
  saveCompanySuspension,
  updateCompanyStep,
} from '#lib/store/companies.ts';
import { putNewContact } from '#lib/store/contacts.ts';
import { eventStep } from '#lib/store/events.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import { MAX_TRANSACTION_ITEMS, type Page, transact, type WriteStep } from '#lib/store/table.ts';
import { alertEffects } from './alerts.ts';
import { audit } from './audit.ts';
import { about, aboutAccount, newEvent } from './events.ts';
import { companySuspensionMessage, welcomeMessage } from './messages.ts';
import { buildNewAccount } from './new-account.ts';
import { retryingLostRaces } from './retry.ts';
import type { CompanyScope, TenantScope } from './scope.ts';

export type CreatedCompany = z.output<typeof createdCompanyResponse>;

/**
 * A company, its first contact and its admin account, in one transaction: the admin account
 * takes the whole pool unless it asks for less, and its welcome e-mail is queued with it.
 */
export async function createCompany(
  scope: TenantScope,
  body: CreateCompanyBody,
  now = new Date(),
): Promise<CreatedCompany> {
  const poolMb = body.quotaMb ?? null;
  if (poolMb !== null)
    assertLadderSize(poolMb, { fineIncrements: scope.fineIncrements }, 'quotaMb');
  const companyId = ulid();
  const at = now.toISOString();
  const contact: Contact = {
    // The company's first contact shares the company's id, so the default contact of new
    // accounts is read in the same batch as the company, without a lookup first.
    id: companyId,
    companyId,
    fullName: body.contact.fullName,
    email: body.contact.email,
    phone: body.contact.phone ?? null,
    createdAt: at,
  };
  const { account, pooledMb } = await buildNewAccount({
    request: body.admin,
    id: ulid(),
    partnerId: scope.partnerId,
    companyId,
    kind: 'parent',
    parent: null,
    plan: body.admin.plan,
    contactId: contact.id,
    poolMb,
    isCompanyAdmin: true,
    fineIncrements: scope.fineIncrements,
    fieldPrefix: 'admin.',
    now,
  });
  assertFitsPool({ quotaMb: poolMb, allocatedMb: 0 }, pooledMb);
  const company: Company = {
    id: companyId,
    partnerId: scope.partnerId,
    name: body.name,
    quotaMb: poolMb,
    allocatedMb: pooledMb,
    usedMb: 0,
    accountCount: 1,
    listed: listedTotalsOf([account]),
    licenses: { egr: body.licenses?.egr ?? 0, spV5: body.licenses?.spV5 ?? 0 },
    endGuard: body.endGuard ?? false,
    status: 'active',
    adminAccountId: account.id,
    adminContactId: contact.id,
    createdAt: at,
    updatedAt: at,
  };
  const reply = {
    company: toCompanyView(company),
    account: toAccountView(account, companyAddOns(company)),
    contact: toContactView(contact),
  };
  await transact(
    [
      putNewCompany(company),
      putNewContact(scope.partnerId, contact),
      ...putNewAccount(account),
      outboxStep(welcomeMessage(scope, account)),
      eventStep(
        newEvent(scope, now, 'company.created', about(company), { company: reply.company }),
      ),
      eventStep(
        newEvent(scope, now, 'account.created', aboutAccount(account), { account: reply.account }),
      ),
      audit(scope, now, {
        action: 'company.create',
        targetType: 'company',
        targetId: company.id,
        companyId: company.id,
        details: {
          name: company.name,
          quotaMb: poolMb,
          adminAccountId: account.id,
          adminUsername: account.username,
        },
      }),
    ],
    { reply },
  );
  count('CompaniesCreated');
  count('AccountsCreated');
  return reply;
}

export async function listCompanies(
  scope: TenantScope,
  limit: number,
  cursor: string | undefined,
): Promise<Page<CompanyView>> {
  const page = await listCompanyPage(scope.partnerId, limit, cursor);
  return { items: page.items.map(toCompanyView), nextCursor: page.nextCursor };
}

export async function getCompany(scope: CompanyScope): Promise<CompanyView> {
  const { companyId } = scope;
  return toCompanyView(await requireCompany(scope.partnerId, companyId));
}

export const updateCompany = (
  scope: CompanyScope,
  body: UpdateCompanyBody,
  now = new Date(),
): Promise<CompanyView> => retryingLostRaces(() => updateCompanyOnce(scope, body, now));

async function updateCompanyOnce(
  scope: CompanyScope,
  body: UpdateCompanyBody,
  now: Date,
): Promise<CompanyView> {
  const { companyId } = scope;
  const company = await requireCompany(scope.partnerId, companyId);
  if (company.status !== 'active') {
    throw companyCancelled();
  }
  if (body.quotaMb !== undefined) {
    if (body.quotaMb === null || company.quotaMb === null) {
      throw poolModeFixed();
    }
    assertPoolResize(body.quotaMb, company.allocatedMb, { fineIncrements: scope.fineIncrements });
  }
  const licenses =
    body.licenses !== undefined
      ? {
          egr: body.licenses.egr ?? company.licenses.egr,
          spV5: body.licenses.spV5 ?? company.licenses.spV5,
        }
      : undefined;
  const changes = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.quotaMb != null ? { quotaMb: body.quotaMb } : {}),
    ...(licenses ? { licenses } : {}),
    ...(body.endGuard !== undefined ? { endGuard: body.endGuard } : {}),
  };
  const at = now.toISOString();
  const after: Company = { ...company, ...changes, updatedAt: at };
  // A pool resize takes effect on its alert level at once (SPEC §2.9).
  const alert = changes.quotaMb !== undefined ? companyAlert(after) : null;
  if (alert) after.alertLevel = alert.level;
  const updated = toCompanyView(after);
  const alerts = alert?.change
    ? alertEffects(scope, now, [{ subject: 'company', company: after, change: alert.change }])
    : undefined;
  await transact([
    updateCompanyStep(company, changes, at, alert?.level),
    ...alertSteps(alerts),
    eventStep(newEvent(scope, now, 'company.updated', about(company), { company: updated })),
    audit(scope, now, {
      action: 'company.update',
      targetType: 'company',
      targetId: company.id,
      companyId: company.id,
      details: changes,
    }),
  ]);
  return updated;
}

/**
 * Cancels every account and then the company. Accounts are cancelled in transactions of up to
 * 100 items, each returning its storage to the pool; a retry after a failure picks up the
 * accounts still active, so the operation can be repeated until it completes. The company is
 * cancelled last, on the condition that no account is left open: one created meanwhile is swept
 * up by another round.
 */
export const cancelCompany = (scope: CompanyScope, now = new Date()): Promise<CompanyView> =>
  retryingLostRaces(() => cancelCompanyOnce(scope, now));

async function cancelCompanyOnce(scope: CompanyScope, now: Date): Promise<CompanyView> {
  const { companyId } = scope;
  const at = now.toISOString();
  const cancelled = { pooledMb: 0, count: 0 };
  for (let round = 1; ; round++) {
    const company = await requireCompany(scope.partnerId, companyId);
    // Its status is set last, once every account is: a cancelled company has nothing left to do.
    if (company.status === 'cancelled') return toCompanyView(company);
    const accounts = await allAccounts(scope.partnerId, companyId);
    const returned = await cancelOpenAccounts(
      company,
      accounts.filter((account) => account.status !== 'cancelled'),
      at,
    );
    cancelled.pooledMb += returned.pooledMb;
    cancelled.count += returned.count;
    // One marker per plan; releasing one already released does nothing.
    const markers = [
      ...new Map(
        accounts
          .filter((a) => a.kind === 'parent')
          .map((a) => [a.plan, releaseParentMarker(a, a.plan)]),
      ).values(),
    ];
    const view = toCompanyView({
      ...company,
      status: 'cancelled',
      allocatedMb: company.allocatedMb - returned.pooledMb,
      accountCount: company.accountCount - returned.count,
      updatedAt: at,
    });
    try {
      await transact([
        cancelCompanyStep(company, at, () => new AccountOpenedMeanwhile()),
        ...markers,
        eventStep(newEvent(scope, now, 'company.cancelled', about(company), { company: view })),
        audit(scope, now, {
          action: 'company.cancel',
          targetType: 'company',
          targetId: company.id,
          companyId: company.id,
          details: { accountsCancelled: cancelled.count, returnedMb: cancelled.pooledMb },
        }),
      ]);
    } catch (error) {
      if (!(error instanceof AccountOpenedMeanwhile) || round >= CANCEL_ROUNDS) throw error;
      continue;
    }
    return view;
  }
}

const CANCEL_ROUNDS = 3;

/** An account was created while the others were being cancelled: another round sweeps it up. */
class AccountOpenedMeanwhile extends Error {}

/** Cancels the accounts in transactions of up to 100 items, each returning their storage. */
async function cancelOpenAccounts(
  company: Company,
  open: Account[],
  at: string,
): Promise<{ pooledMb: number; count: number }> {
  const pooled = company.quotaMb !== null;
  const perChunk = MAX_TRANSACTION_ITEMS - 3;
  const returned = { pooledMb: 0, count: 0 };
  for (let start = 0; start < open.length; start += perChunk) {
    const chunk = open.slice(start, start + perChunk);
    const steps: WriteStep[] = chunk.map((account) => cancelAccountStep(account, at));
    const chunkPooled = chunk.reduce((sum, a) => sum + pooledMbOf(a, pooled), 0);
    steps.push(
      changeAllocation(company, {
        pooledDeltaMb: -chunkPooled,
        accountCountDelta: -chunk.length,
        at,
        pooled,
        requireActive: false,
        listed: listedDelta(chunk, []),
      }),
    );
    await transact(steps);
    returned.pooledMb += chunkPooled;
    returned.count += chunk.length;
  }
  return returned;
}

/**
 * Adds (`suspend`) or takes away (`reactivate`) one reason of the company's suspension (SPEC
 * §2.8), with the e-mail to its admin's contact and the event, in one transaction. Its accounts
 * are not rewritten: their views combine the company's suspension with their own. A reason
 * already there (or not there to take away) writes nothing and answers the company as it is.
 */
export const changeCompanySuspension = (
  scope: CompanyScope,
  action: SuspensionAction,
  body: SuspensionBody,
  now = new Date(),
): Promise<CompanyView> =>
  retryingLostRaces(async () => {
    const company = await requireCompany(scope.partnerId, scope.companyId);
    const plan = planCompanySuspension({ target: company, reason: body.reason, action, now });
    if (plan.unchanged) return toCompanyView(plan.target);
    const view = toCompanyView(plan.after);
    const kind = action === 'suspend' ? 'suspended' : 'reactivated';
    await transact(
      [
        saveCompanySuspension(plan.before, plan.after.suspension ?? null, plan.at),
        outboxStep(companySuspensionMessage(scope, plan.after, kind, body.reason, plan.at)),
        eventStep(
          newEvent(
            scope,
            now,
            action === 'suspend' ? 'company.suspended' : 'company.reactivated',
            about(company),
            { company: view, reason: body.reason },
          ),
        ),
        audit(scope, now, {
          action: `company.${action}`,
          targetType: 'company',
          targetId: company.id,
          companyId: company.id,
          details: { reason: body.reason, reasons: plan.after.suspension?.reasons ?? [] },
        }),
      ],
      { reply: view },
    );
    return view;
  });
