import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import {
  apiFor,
  type BodyOf,
  idempotencyKey,
  MB_PER_GB,
  type Problem,
  type Schemas,
  unwrap,
} from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Check, Field, FormProblem, Page, useLadder } from '../ui.tsx';

type Plan = Schemas['Account']['plan'];
type Body = BodyOf<'/v1/companies', 'post'>;

const FIELDS = [
  'name',
  'quotaMb',
  'licenses.egr',
  'licenses.spV5',
  'endGuard',
  'contact.fullName',
  'contact.email',
  'admin.username',
  'admin.password',
  'admin.confirmPassword',
  'admin.ultraSafe',
  'admin.secretQuestion',
  'admin.secretAnswer',
  'admin.plan',
];

/** "Create Company With Admin Backup Account" (SPEC §8): the company, its admin and its contact. */
export function AddCompany({ session }: SessionProps) {
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [quotaGb, setQuotaGb] = useState('');
  const [egr, setEgr] = useState('0');
  const [spV5, setSpV5] = useState('0');
  const [endGuard, setEndGuard] = useState(false);
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [ultraSafe, setUltraSafe] = useState(false);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [plan, setPlan] = useState<Plan>('select');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(idempotencyKey);
  const ladder = useLadder(session);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== confirm) {
      setProblem({
        type: 'about:blank',
        title: 'Passwords differ',
        status: 400,
        code: 'CONFIRMATION',
        detail: 'Password and Confirm Password differ.',
        errors: [{ path: 'admin.confirmPassword', message: 'differs' }],
      });
      return;
    }
    const body: Body = {
      name,
      quotaMb: quotaGb ? Number(quotaGb) * MB_PER_GB : null,
      licenses: { egr: Number(egr), spV5: Number(spV5) },
      endGuard,
      contact: { fullName, email },
      admin: {
        username,
        plan,
        ...(password ? { password } : {}),
        ultraSafe,
        ...(!ultraSafe && question ? { secretQuestion: question, secretAnswer: answer } : {}),
      },
    };
    setBusy(true);
    try {
      const created = await unwrap(
        apiFor(session).POST('/v1/companies', {
          body,
          params: { header: { 'Idempotency-Key': key } },
        }),
      );
      route(`/companies/${created.company.id}`);
    } catch (error) {
      setProblem(error as Problem);
      setBusy(false);
    }
  };

  const input =
    (value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) =>
    (p: Record<string, unknown>) => (
      <input {...p} {...extra} value={value} onInput={(e) => set(e.currentTarget.value)} />
    );

  return (
    <Page title="Create Company With Admin Backup Account">
      <form onSubmit={submit} aria-busy={busy}>
        <fieldset>
          <legend>Company</legend>
          <Field label="Company Name" path="name" problem={problem}>
            {input(name, setName, { required: true, maxLength: 200 })}
          </Field>
          <Field
            label="Quota In GB"
            path="quotaMb"
            problem={problem}
            hint="The company's storage pool; no pool leaves it unlimited."
          >
            {(p) => (
              <select {...p} value={quotaGb} onChange={(e) => setQuotaGb(e.currentTarget.value)}>
                <option value="">No pool (unlimited)</option>
                {(ladder ?? []).map((size) => (
                  <option key={size} value={String(size)}>
                    {size} GB
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="EGR Licenses" path="licenses.egr" problem={problem}>
            {input(egr, setEgr, { type: 'number', min: 0, step: 1, inputMode: 'numeric' })}
          </Field>
          <Field label="SP v5 Licenses" path="licenses.spV5" problem={problem}>
            {input(spV5, setSpV5, { type: 'number', min: 0, step: 1, inputMode: 'numeric' })}
          </Field>
          <Check label="Enable EndGuard" checked={endGuard} onChange={setEndGuard} />
        </fieldset>
        <fieldset>
          <legend>Contact</legend>
          <Field label="Full Name" path="contact.fullName" problem={problem}>
            {input(fullName, setFullName, { required: true, autocomplete: 'name' })}
          </Field>
          <Field label="Email" path="contact.email" problem={problem}>
            {input(email, setEmail, { required: true, type: 'email', autocomplete: 'email' })}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Admin backup account</legend>
          <Field label="Username" path="admin.username" problem={problem}>
            {input(username, setUsername, { required: true, autocomplete: 'off' })}
          </Field>
          <Field
            label="Password"
            path="admin.password"
            problem={problem}
            hint="Optional: left empty, a temporary password is e-mailed to the contact."
          >
            {input(password, setPassword, { type: 'password', autocomplete: 'new-password' })}
          </Field>
          <Field label="Confirm Password" path="admin.confirmPassword" problem={problem}>
            {input(confirm, setConfirm, { type: 'password', autocomplete: 'new-password' })}
          </Field>
          <Check label="Is Ultrasafe?" checked={ultraSafe} onChange={setUltraSafe} />
          <Field label="Secret Question" path="admin.secretQuestion" problem={problem}>
            {input(question, setQuestion, { disabled: ultraSafe })}
          </Field>
          <Field label="Secret Answer" path="admin.secretAnswer" problem={problem}>
            {input(answer, setAnswer, { disabled: ultraSafe, autocomplete: 'off' })}
          </Field>
          <Field label="Plan" path="admin.plan" problem={problem}>
            {(p) => (
              <select {...p} value={plan} onChange={(e) => setPlan(e.currentTarget.value as Plan)}>
                <option value="select">Select</option>
                <option value="basic">Basic</option>
                <option value="trial">Trial</option>
              </select>
            )}
          </Field>
        </fieldset>
        <FormProblem problem={problem} fields={FIELDS} />
        <button type="submit" disabled={busy}>
          Create
        </button>
        <a class="button secondary" href="/companies">
          Cancel
        </a>
      </form>
    </Page>
  );
}
