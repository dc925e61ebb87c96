import { useState } from 'preact/hooks';
import { apiFor, type Problem, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import type { Session } from '../session.ts';
import { Field, FormProblem, Page } from '../ui.tsx';

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

export function SignIn({ session, setSession }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  if (session?.mustChangePassword)
    return <ChangePassword session={session} setSession={setSession} />;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const reply = await unwrap(
        apiFor(null).POST('/v1/auth/login', { body: { username, password } }),
      );
      const base: Session = {
        token: reply.token,
        expiresAt: reply.expiresAt,
        kind: reply.role,
        label: username.trim().toLowerCase(),
        mustChangePassword: reply.mustChangePassword,
      };
      if (reply.role === 'companyAdmin' && !reply.mustChangePassword) {
        const me = await unwrap(apiFor(base).GET('/v1/me'));
        base.companyId = me.companyId;
      }
      setSession(base);
    } catch (error) {
      setProblem(error as Problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Sign in">
      <form onSubmit={submit} aria-busy={busy}>
        <Field label="Username" path="username" problem={problem}>
          {(p) => (
            <input
              {...p}
              autocomplete="username"
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
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
        <FormProblem problem={problem} fields={['username', 'password']} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </Page>
  );
}
