import { useState } from 'preact/hooks';
import { apiFor, type Problem, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import type { Session } from '../session.ts';
import { Field, FormProblem, Page } from '../ui.tsx';
import { EnrolMfa } from './EnrolMfa.tsx';

interface Props {
  session: Session | null;
  setSession: SessionProps['setSession'];
}

/** A session that must replace its temporary password may do nothing else (SPEC §2.4). */
function ChangePassword({ session, setSession }: { session: Session } & Pick<Props, 'setSession'>) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (next !== confirm) {
      setProblem({
        type: 'about:blank',
        title: 'Passwords differ',
        status: 400,
        code: 'CONFIRMATION',
        detail: 'The two new passwords differ.',
        errors: [{ path: 'confirmPassword', message: 'differs' }],
      });
      return;
    }
    try {
      const reply = await unwrap(
        apiFor(session).POST('/v1/auth/password', {
          body: { currentPassword: current, newPassword: next },
        }),
      );
      const changed: Session = {
        ...session,
        token: reply.token,
        expiresAt: reply.expiresAt,
        mustChangePassword: reply.mustChangePassword,
        ...('mfaEnrolled' in reply ? { mfaEnrolled: reply.mfaEnrolled, role: reply.role } : {}),
      };
      if (changed.kind === 'companyAdmin') {
        changed.companyId = (await unwrap(apiFor(changed).GET('/v1/me'))).companyId;
      }
      setSession(changed);
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  return (
    <Page title="Choose a new password">
      <p>Your password is temporary: choose your own before you go on.</p>
      <form onSubmit={submit}>
        <Field label="Current Password" path="currentPassword" problem={problem}>
          {(p) => (
            <input
              {...p}
              type="password"
              autocomplete="current-password"
              required
              value={current}
              onInput={(e) => setCurrent(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="New Password" path="newPassword" problem={problem}>
          {(p) => (
            <input
              {...p}
              type="password"
              autocomplete="new-password"
              required
              minLength={8}
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Confirm New Password" path="confirmPassword" problem={problem}>
          {(p) => (
            <input
              {...p}
              type="password"
              autocomplete="new-password"
              required
              value={confirm}
              onInput={(e) => setConfirm(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormProblem
          problem={problem}
          fields={['currentPassword', 'newPassword', 'confirmPassword']}
        />
        <button type="submit">Change Password</button>
        <button type="button" class="secondary" onClick={() => setSession(null)}>
          Sign out
        </button>
      </form>
    </Page>
  );
}

type Who = 'staff' | 'account';

/** A wrong or missing TOTP code names no field: the Authentication code is that field. */
function withCodeField(problem: Problem): Problem {
  if (problem.code === 'MFA_REQUIRED' || problem.code === 'INVALID_MFA_CODE')
    return { ...problem, errors: [{ path: 'totp', message: problem.title }] };
  return problem;
}

export function SignIn({ session, setSession }: Props) {
  const [who, setWho] = useState<Who>('staff');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  if (session?.mustChangePassword)
    return <ChangePassword session={session} setSession={setSession} />;
  if (session && session.mfaEnrolled === false)
    return <EnrolMfa session={session} setSession={setSession} />;

  const signInStaff = async () => {
    const email = login.trim();
    const reply = await unwrap(
      apiFor(null).POST('/v1/auth/staff/login', {
        body: { email, password, ...(needsCode && totp ? { totp: totp.trim() } : {}) },
      }),
    );
    setSession({
      token: reply.token,
      expiresAt: reply.expiresAt,
      kind: 'partner',
      role: reply.role,
      label: email.toLowerCase(),
      mustChangePassword: reply.mustChangePassword,
      mfaEnrolled: reply.mfaEnrolled,
    });
  };

  const signInAccount = async () => {
    const reply = await unwrap(
      apiFor(null).POST('/v1/auth/login', { body: { username: login, password } }),
    );
    const base: Session = {
      token: reply.token,
      expiresAt: reply.expiresAt,
      kind: reply.role,
      label: login.trim().toLowerCase(),
      mustChangePassword: reply.mustChangePassword,
    };
    if (reply.role === 'companyAdmin' && !reply.mustChangePassword) {
      base.companyId = (await unwrap(apiFor(base).GET('/v1/me'))).companyId;
    }
    setSession(base);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await (who === 'staff' ? signInStaff() : signInAccount());
    } catch (error) {
      const p = error as Problem;
      if (p.code === 'MFA_REQUIRED') setNeedsCode(true);
      setProblem(withCodeField(p));
    } finally {
      setBusy(false);
    }
  };

  const choose = (next: Who) => {
    setWho(next);
    setProblem(null);
    setNeedsCode(false);
  };
  const loginLabel = who === 'staff' ? 'Email' : 'Username';

  return (
    <Page title="Sign in">
      <form onSubmit={submit} aria-busy={busy}>
        <fieldset>
          <legend>I am</legend>
          <div class="field check">
            <input
              id="who-staff"
              type="radio"
              name="who"
              checked={who === 'staff'}
              onChange={() => choose('staff')}
            />
            <label for="who-staff">Partner staff</label>
          </div>
          <div class="field check">
            <input
              id="who-account"
              type="radio"
              name="who"
              checked={who === 'account'}
              onChange={() => choose('account')}
            />
            <label for="who-account">Company admin or backup user</label>
          </div>
        </fieldset>
        <Field label={loginLabel} path={who === 'staff' ? 'email' : 'username'} problem={problem}>
          {(p) => (
            <input
              {...p}
              type={(who === 'staff' ? 'email' : 'text') as 'text'}
              autocomplete={who === 'staff' ? 'email' : 'username'}
              required
              value={login}
              onInput={(e) => setLogin(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Password" path="password" problem={problem}>
          {(p) => (
            <input
              {...p}
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          )}
        </Field>
        {who === 'staff' && needsCode && (
          <Field
            label="Authentication code"
            path="totp"
            problem={problem}
            hint="From your authenticator app, or one of your recovery codes."
          >
            {(p) => (
              <input
                {...p}
                autocomplete="one-time-code"
                required
                value={totp}
                onInput={(e) => setTotp(e.currentTarget.value)}
              />
            )}
          </Field>
        )}
        <FormProblem problem={problem} fields={['email', 'username', 'password', 'totp']} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </Page>
  );
}
