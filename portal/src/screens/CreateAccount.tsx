import { useState } from 'preact/hooks';
import { apiFor, type BodyOf, idempotencyKey, type Problem, type Schemas, unwrap } from '../api.ts';
import type { Session } from '../session.ts';
import { Field, FormProblem } from '../ui.tsx';
import type { CompanyData } from './CompanyPage.tsx';

type Plan = Schemas['Account']['plan'];
type Body = BodyOf<'/v1/companies/{companyId}/accounts', 'post'>;
const FIELDS = [
  'parentId',
  'plan',
  'contactId',
  'contact.fullName',
  'contact.email',
  'username',
  'password',
  'trialDays',
  'hardQuotaMb',
  'userQuotaMb',
];

/** The seed 000 form: a sub-account under a parent, or with "(none)" a new parent for a plan. */
export function CreateAccount({
  session,
  data,
  onDone,
}: {
  session: Session;
  data: CompanyData;
  onDone: () => void;
}) {
  const parents = data.accounts.filter((a) => a.kind === 'parent' && a.status === 'active');
  const [parentId, setParentId] = useState(parents[0]?.id ?? '');
  const [plan, setPlan] = useState<Plan>('basic');
  const [contactMode, setContactMode] = useState<'existing' | 'new'>('existing');
  const [contactId, setContactId] = useState(data.contacts[0]?.id ?? '');
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [trialDays, setTrialDays] = useState('');
  const [hardQuota, setHardQuota] = useState('');
  const [userQuota, setUserQuota] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);
  const parent = parents.find((p) => p.id === parentId);
  const effectivePlan = parent ? parent.plan : plan;

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Body = {
      username,
      ...(parentId ? { parentId } : { plan }),
      ...(contactMode === 'existing'
        ? contactId
          ? { contactId }
          : {}
        : { contact: { fullName, email } }),
      ...(password ? { password } : {}),
      ...(trialDays && effectivePlan === 'trial' ? { trialDays: Number(trialDays) } : {}),
      ...(hardQuota ? { hardQuotaMb: Number(hardQuota) } : {}),
      ...(userQuota ? { userQuotaMb: Number(userQuota) } : {}),
    } as Body;
    setBusy(true);
    try {
      await unwrap(
        apiFor(session).POST('/v1/companies/{companyId}/accounts', {
          params: { path: { companyId: data.company.id }, header: { 'Idempotency-Key': key } },
          body,
        }),
      );
      setKey(idempotencyKey());
      onDone();
    } catch (error) {
      setProblem(error as Problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby="create-account-title" aria-busy={busy}>
      <h2 id="create-account-title">Create Account</h2>
      <Field label="Parent Account" path="parentId" problem={problem}>
        {(p) => (
          <select {...p} value={parentId} onChange={(e) => setParentId(e.currentTarget.value)}>
            <option value="">(none)</option>
            {parents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.username} ({a.plan})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Plan"
        path="plan"
        problem={problem}
        hint={parent ? "A sub-account has its parent's plan." : undefined}
      >
        {(p) => (
          <select
            {...p}
            value={effectivePlan}
            disabled={!!parent}
            onChange={(e) => setPlan(e.currentTarget.value as Plan)}
          >
            <option value="basic">Basic</option>
            <option value="select">Select</option>
            <option value="trial">Trial</option>
          </select>
        )}
      </Field>
      <fieldset>
        <legend>Contact</legend>
        <div class="field check">
          <input
            id="contact-existing"
            type="radio"
            name="contact-mode"
            checked={contactMode === 'existing'}
            onChange={() => setContactMode('existing')}
          />
          <label for="contact-existing">Existing Contact</label>
        </div>
        <div class="field check">
          <input
            id="contact-new"
            type="radio"
            name="contact-mode"
            checked={contactMode === 'new'}
            onChange={() => setContactMode('new')}
          />
          <label for="contact-new">New Contact</label>
        </div>
        {contactMode === 'existing' ? (
          <Field label="Contact" path="contactId" problem={problem}>
            {(p) => (
              <select
                {...p}
                value={contactId}
                onChange={(e) => setContactId(e.currentTarget.value)}
              >
                {data.contacts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.fullName} &lt;{c.email}&gt;
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <>
            <Field label="Full Name" path="contact.fullName" problem={problem}>
              {(p) => (
                <input
                  {...p}
                  required
                  value={fullName}
                  onInput={(e) => setFullName(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label="Email" path="contact.email" problem={problem}>
              {(p) => (
                <input
                  {...p}
                  type="email"
                  required
                  value={email}
                  onInput={(e) => setEmail(e.currentTarget.value)}
                />
              )}
            </Field>
          </>
        )}
      </fieldset>
      <Field label="Username" path="username" problem={problem}>
        {(p) => (
          <input
            {...p}
            required
            autocomplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        label="Password"
        path="password"
        problem={problem}
        hint="Optional: left empty, a temporary password is e-mailed to the contact."
      >
        {(p) => (
          <input
            {...p}
            type="password"
            autocomplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Trial Days" path="trialDays" problem={problem} hint="Trial plan only (1–90).">
        {(p) => (
          <input
            {...p}
            type="number"
            min={1}
            max={90}
            disabled={effectivePlan !== 'trial'}
            value={trialDays}
            onInput={(e) => setTrialDays(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        label="Hard Quota MB"
        path="hardQuotaMb"
        problem={problem}
        hint="Optional; in a company with a pool, a ladder size (5 GB = 5120 MB)."
      >
        {(p) => (
          <input
            {...p}
            type="number"
            min={1}
            value={hardQuota}
            onInput={(e) => setHardQuota(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="User Quota MB" path="userQuotaMb" problem={problem} hint="Optional.">
        {(p) => (
          <input
            {...p}
            type="number"
            min={1}
            value={userQuota}
            onInput={(e) => setUserQuota(e.currentTarget.value)}
          />
        )}
      </Field>
      <FormProblem problem={problem} fields={FIELDS} />
      <button type="submit" disabled={busy}>
        Create
      </button>
    </form>
  );
}
