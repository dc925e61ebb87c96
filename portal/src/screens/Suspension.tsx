import { useState } from 'preact/hooks';
import { apiFor, idempotencyKey, type Problem, type Schemas, unwrap } from '../api.ts';
import type { Session } from '../session.ts';
import { Field, FormProblem } from '../ui.tsx';

type Suspension = Schemas['Company']['suspension'];
type Reason = NonNullable<Suspension>['reasons'][number];

const REASONS: Array<{ value: Reason; label: string }> = [
  { value: 'non_payment', label: 'Non-payment' },
  { value: 'manual', label: 'Manual' },
  { value: 'abuse', label: 'Abuse' },
];
const reasonLabel = (reason: Reason) => REASONS.find((r) => r.value === reason)?.label ?? reason;

/** "active", "cancelled" or "suspended (Non-payment, Abuse)": what a Status column shows. */
export function statusText(object: { status: string; suspension: Suspension }): string {
  if (object.status !== 'active' || !object.suspension) return object.status;
  return `suspended (${object.suspension.reasons.map(reasonLabel).join(', ')})`;
}

interface Props {
  session: Session;
  /** A company, or one account of it. */
  target:
    | { kind: 'company'; companyId: string; suspension: Suspension }
    | {
        kind: 'account';
        companyId: string;
        accountId: string;
        suspension: Suspension;
        /** The company's own reasons, which the account's view also carries. */
        companyReasons: Reason[];
      };
  onDone: () => void;
}

/**
 * `Suspend` with a reason, and `Reactivate` taking one reason off (SPEC §2.8). An account's view
 * also carries its company's reasons, which only the company's own Reactivate takes off, so the
 * account's offers only the rest (a reason both hold shows once, and comes off the account once
 * the company's is gone).
 */
export function SuspensionActions({ session, target, onDone }: Props) {
  const [open, setOpen] = useState<'suspend' | 'reactivate' | null>(null);
  const [reason, setReason] = useState<Reason>('non_payment');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // What this object's own Reactivate can take off: an account's view also shows its company's
  // reasons, and taking one of those off the account would change nothing.
  const companyReasons = target.kind === 'account' ? target.companyReasons : [];
  const removable = (target.suspension?.reasons ?? []).filter((r) => !companyReasons.includes(r));
  const what = target.kind === 'company' ? 'company' : 'account';

  const toggle = (next: 'suspend' | 'reactivate') => {
    setOpen(open === next ? null : next);
    setReason(next === 'reactivate' ? (removable[0] ?? 'non_payment') : 'non_payment');
    setProblem(null);
    setDone(null);
  };
  const submit = async (action: 'suspend' | 'reactivate') => {
    setProblem(null);
    const api = apiFor(session);
    const header = { 'Idempotency-Key': idempotencyKey() };
    const body = { reason };
    const company = { companyId: target.companyId };
    const send = (): Promise<unknown> => {
      if (target.kind === 'company') {
        const params = { path: company, header };
        return action === 'suspend'
          ? unwrap(api.POST('/v1/companies/{companyId}/suspend', { params, body }))
          : unwrap(api.POST('/v1/companies/{companyId}/reactivate', { params, body }));
      }
      const params = { path: { ...company, accountId: target.accountId }, header };
      return action === 'suspend'
        ? unwrap(
            api.POST('/v1/companies/{companyId}/accounts/{accountId}/suspend', { params, body }),
          )
        : unwrap(
            api.POST('/v1/companies/{companyId}/accounts/{accountId}/reactivate', { params, body }),
          );
    };
    try {
      await send();
      setDone(
        action === 'suspend'
          ? `The ${what} is suspended for ${reasonLabel(reason)}.`
          : `${reasonLabel(reason)} was taken off the ${what}’s suspension.`,
      );
      setOpen(null);
      onDone();
    } catch (error) {
      setProblem(error as Problem);
    }
  };

  return (
    <section class="suspension" aria-label={`Suspension of the ${what}`}>
      {target.suspension && (
        <p>
          Suspended since {target.suspension.since.slice(0, 10)}:{' '}
          {target.suspension.reasons.map(reasonLabel).join(', ')}. Backups are not allowed.
          {companyReasons.length > 0 &&
            ` The company’s reasons (${companyReasons.map(reasonLabel).join(', ')}) come off with the company’s Reactivate.`}
        </p>
      )}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          aria-expanded={open === 'suspend'}
          onClick={() => toggle('suspend')}
        >
          Suspend
        </button>
        {removable.length > 0 && (
          <button
            type="button"
            class="secondary"
            aria-expanded={open === 'reactivate'}
            onClick={() => toggle('reactivate')}
          >
            Reactivate
          </button>
        )}
      </div>
      {open && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit(open);
          }}
        >
          <Field
            label={open === 'suspend' ? 'Suspension Reason' : 'Reason To Remove'}
            path="reason"
            problem={problem}
          >
            {(p) => (
              <select
                {...p}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value as Reason)}
              >
                {(open === 'suspend'
                  ? REASONS
                  : REASONS.filter((r) => removable.includes(r.value))
                ).map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" class={open === 'suspend' ? 'danger' : ''}>
            {open === 'suspend' ? `Suspend ${what}` : `Reactivate ${what}`}
          </button>
        </form>
      )}
      <FormProblem problem={problem} fields={['reason']} />
      {done && <p role="status">{done}</p>}
    </section>
  );
}
