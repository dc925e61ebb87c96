import { useState } from 'preact/hooks';
import { apiFor, gb, MB_PER_GB, type Problem, percent, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Field, FormProblem, Page, useLoad } from '../ui.tsx';

/** A backup user's own account: usage, user quota, password (SPEC §8). */
export function AccountPage({ session, setSession }: SessionProps) {
  const api = apiFor(session);
  const {
    data,
    problem: loadProblem,
    reload,
  } = useLoad(() => unwrap(api.GET('/v1/me')), [session.token]);
  const [quotaGb, setQuotaGb] = useState<string | null>(null);
  const [quotaProblem, setQuotaProblem] = useState<Problem | null>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [passwordProblem, setPasswordProblem] = useState<Problem | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  if (!data)
    return (
      <Page title="My Account">
        {loadProblem ? (
          <p class="error" role="alert">
            {loadProblem.detail}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </Page>
    );
  const shownQuota =
    quotaGb ?? (data.userQuotaMb === null ? '' : String(data.userQuotaMb / MB_PER_GB));

  const saveQuota = async (e: Event) => {
    e.preventDefault();
    try {
      await unwrap(
        api.PATCH('/v1/me', {
          body: { userQuotaMb: shownQuota ? Math.round(Number(shownQuota) * MB_PER_GB) : null },
        }),
      );
      setQuotaProblem(null);
      setMessage('Your user quota was saved.');
      reload();
    } catch (error) {
      setQuotaProblem(error as Problem);
    }
  };
  const changePassword = async (e: Event) => {
    e.preventDefault();
    try {
      const reply = await unwrap(
        api.POST('/v1/auth/password', { body: { currentPassword: current, newPassword: next } }),
      );
      setSession({ ...session, token: reply.token, expiresAt: reply.expiresAt });
      setPasswordProblem(null);
      setCurrent('');
      setNext('');
      setMessage('Your password was changed.');
    } catch (error) {
      setPasswordProblem(error as Problem);
    }
  };

  return (
    <Page title="My Account">
      <dl class="pool">
        <dt>Username</dt>
        <dd>{data.username}</dd>
        <dt>Plan</dt>
        <dd>{data.plan}</dd>
        <dt>Status</dt>
        <dd>{data.status}</dd>
        <dt>Hard quota</dt>
        <dd>{gb(data.hardQuotaMb)}</dd>
        <dt>Effective quota</dt>
        <dd>{gb(data.effectiveQuotaMb)}</dd>
        <dt>Used</dt>
        <dd>
          {gb(data.usedMb)} ({percent(data.percentUsed)})
        </dd>
        {data.trialEndsAt && (
          <>
            <dt>Trial ends</dt>
            <dd>{data.trialEndsAt.slice(0, 10)}</dd>
          </>
        )}
      </dl>
      {message && <p role="status">{message}</p>}
      <form onSubmit={saveQuota}>
        <h2>User Quota</h2>
        <Field
          label="User Quota In GB"
          path="userQuotaMb"
          problem={quotaProblem}
          hint="Empty for none: the hard quota applies."
        >
          {(p) => (
            <input
              {...p}
              type="number"
              min={0.001}
              step="any"
              value={shownQuota}
              onInput={(e) => setQuotaGb(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormProblem problem={quotaProblem} fields={['userQuotaMb']} />
        <button type="submit">Save Quota</button>
      </form>
      <form onSubmit={changePassword}>
        <h2>Change Password</h2>
        <Field label="Current Password" path="currentPassword" problem={passwordProblem}>
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
        <Field label="New Password" path="newPassword" problem={passwordProblem}>
          {(p) => (
            <input
              {...p}
              type="password"
              autocomplete="new-password"
              required
              value={next}
              onInput={(e) => setNext(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormProblem problem={passwordProblem} fields={['currentPassword', 'newPassword']} />
        <button type="submit">Change Password</button>
      </form>
    </Page>
  );
}
