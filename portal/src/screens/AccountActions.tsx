import { useState } from 'preact/hooks';
import {
  apiFor,
  type BodyOf,
  gb,
  idempotencyKey,
  MB_PER_GB,
  type Problem,
  type Schemas,
  unwrap,
} from '../api.ts';
import type { Session } from '../session.ts';
import { Field, FormProblem, useLadder } from '../ui.tsx';
import { SuspensionActions, statusText } from './Suspension.tsx';

type Account = Schemas['Account'];
type Action = 'size' | 'plan' | 'trial' | 'reset' | 'cancel';
type Patch = BodyOf<'/v1/companies/{companyId}/accounts/{accountId}', 'patch'>;

interface Props {
  session: Session;
  company: Schemas['Company'];
  account: Account;
  onDone: () => void;
  onClose: () => void;
}

/** The gear menu of one account: each action opens its own small form. */
export function AccountActions({ session, company, account, onDone, onClose }: Props) {
  const [action, setAction] = useState<Action | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [sizeGb, setSizeGb] = useState(
    account.hardQuotaMb === null ? '' : String(account.hardQuotaMb / MB_PER_GB),
  );
  const [plan, setPlan] = useState<Account['plan']>(
    account.plan === 'trial' ? 'select' : account.plan,
  );
  const [trialDays, setTrialDays] = useState('30');
  const [confirm, setConfirm] = useState('');
  const ladder = useLadder(session);
  const path = { companyId: company.id, accountId: account.id };
  const api = apiFor(session);
  const active = account.status !== 'cancelled';
  const pooled = company.quotaMb !== null;

  const run = async (what: () => Promise<unknown>, message: string) => {
    setProblem(null);
    setDone(null);
    try {
      await what();
      setDone(message);
      setAction(null);
      onDone();
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  const patch = (body: Patch, message: string) =>
    run(
      () =>
        unwrap(
          api.PATCH('/v1/companies/{companyId}/accounts/{accountId}', { params: { path }, body }),
        ),
      message,
    );
  const open = (next: Action) => {
    setAction(action === next ? null : next);
    setProblem(null);
    setDone(null);
  };
  const actionButton = (id: Action, label: string) => (
    <button type="button" class="secondary" aria-expanded={action === id} onClick={() => open(id)}>
      {label}
    </button>
  );

  return (
    <section class="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Account {account.username}</h2>
      <p>
        {account.kind === 'parent' ? 'Parent account' : 'Sub-account'} · plan {account.plan} ·{' '}
        {statusText(account)} · size {gb(account.hardQuotaMb)} · backups{' '}
        {account.features.backupsAllowed ? 'allowed' : 'not allowed'}
        {account.trialEndsAt && ` · trial ends ${account.trialEndsAt.slice(0, 10)}`}
      </p>
      {active && (
        <div class="actions">
          {account.plan !== 'trial' && actionButton('size', 'Change Account Size')}
          {account.kind === 'parent' && actionButton('plan', 'Convert Plan')}
          {account.plan === 'trial' && actionButton('trial', 'Extend Trial')}
          {actionButton('reset', 'Reset Password')}
          {actionButton('cancel', 'Cancel Account')}
          <button type="button" class="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      )}
      {active && session.kind === 'partner' && (
        <SuspensionActions
          session={session}
          target={{
            kind: 'account',
            companyId: company.id,
            accountId: account.id,
            suspension: account.suspension,
            companyReasons: company.suspension?.reasons ?? [],
          }}
          onDone={onDone}
        />
      )}
      {action === 'size' && ladder && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void patch(
              { hardQuotaMb: sizeGb ? Number(sizeGb) * MB_PER_GB : null },
              'The account was resized.',
            );
          }}
        >
          <Field label="Size In GB" path="hardQuotaMb" problem={problem}>
            {(p) => (
              <select {...p} value={sizeGb} onChange={(e) => setSizeGb(e.currentTarget.value)}>
                {!pooled && <option value="">Unlimited</option>}
                {ladder.map((size) => (
                  <option key={size} value={String(size)}>
                    {size} GB
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit">Save Size</button>
        </form>
      )}
      {action === 'plan' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ plan }, `The account is now on ${plan}.`);
          }}
        >
          <Field label="New Plan" path="plan" problem={problem}>
            {(p) => (
              <select
                {...p}
                value={plan}
                onChange={(e) => setPlan(e.currentTarget.value as Account['plan'])}
              >
                <option value="select">Select</option>
                <option value="basic">Basic</option>
              </select>
            )}
          </Field>
          <button type="submit">Convert</button>
        </form>
      )}
      {action === 'trial' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ trialDays: Number(trialDays) }, 'The trial was extended.');
          }}
        >
          <Field
            label="Trial Days"
            path="trialDays"
            problem={problem}
            hint="Counted from the account's creation, at most 90."
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={90}
                value={trialDays}
                onInput={(e) => setTrialDays(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit">Extend</button>
        </form>
      )}
      {action === 'reset' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              () =>
                unwrap(
                  api.POST('/v1/companies/{companyId}/accounts/{accountId}/password-reset', {
                    params: { path, header: { 'Idempotency-Key': idempotencyKey() } },
                  }),
                ),
              'A temporary password was e-mailed to the account’s contact.',
            );
          }}
        >
          <p>A new temporary password is e-mailed to the account's contact.</p>
          <button type="submit">Send Temporary Password</button>
        </form>
      )}
      {action === 'cancel' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              () =>
                unwrap(
                  api.DELETE('/v1/companies/{companyId}/accounts/{accountId}', {
                    params: { path },
                  }),
                ),
              'The account was cancelled.',
            );
          }}
        >
          <p>
            Cancelling is final{account.kind === 'parent' ? ' and cancels its sub-accounts' : ''}.
          </p>
          <Field label={`Type ${account.username} to confirm`} path="confirm" problem={problem}>
            {(p) => (
              <input
                {...p}
                autocomplete="off"
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" class="danger" disabled={confirm !== account.username}>
            Cancel Account
          </button>
        </form>
      )}
      <FormProblem problem={problem} fields={['hardQuotaMb', 'plan', 'trialDays']} />
      {done && <p role="status">{done}</p>}
    </section>
  );
}
