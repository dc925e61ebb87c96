import { useState } from 'preact/hooks';
import { apiFor, idempotencyKey, type Problem, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Field, FormProblem, Page, useLoad } from '../ui.tsx';

type Role = Schemas['Staff']['role'];
const ROLES: Role[] = ['owner', 'admin', 'operator', 'billing'];

/** Partner staff (owners and admins): invite, change a role, remove. */
export function StaffPage({ session }: SessionProps) {
  const api = apiFor(session);
  const {
    data,
    problem: loadProblem,
    reload,
  } = useLoad(
    () => unwrap(api.GET('/v1/staff', { params: { query: { limit: 100 } } })),
    [session.token],
  );
  const [email, setEmail] = useState('');
  const [fullName, setFullName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [rowProblem, setRowProblem] = useState<Problem | null>(null);
  const [invited, setInvited] = useState<string | null>(null);

  const invite = async (e: Event) => {
    e.preventDefault();
    try {
      const staff = await unwrap(
        api.POST('/v1/staff', {
          body: { email, fullName, role },
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
        }),
      );
      setInvited(`${staff.email} was invited: a temporary password is on its way by e-mail.`);
      setProblem(null);
      setEmail('');
      setFullName('');
      reload();
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  const change = async (staffId: string, next: Role) => {
    try {
      await unwrap(
        api.PATCH('/v1/staff/{staffId}', { params: { path: { staffId } }, body: { role: next } }),
      );
      setRowProblem(null);
      reload();
    } catch (error) {
      setRowProblem(error as Problem);
    }
  };
  const remove = async (staffId: string) => {
    try {
      await unwrap(api.DELETE('/v1/staff/{staffId}', { params: { path: { staffId } } }));
      setRowProblem(null);
      reload();
    } catch (error) {
      setRowProblem(error as Problem);
    }
  };

  return (
    <Page title="Staff">
      <form onSubmit={invite}>
        <h2>Invite Staff</h2>
        <Field label="Email" path="email" problem={problem}>
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
        <Field label="Full Name" path="fullName" problem={problem}>
          {(p) => (
            <input
              {...p}
              required
              value={fullName}
              onInput={(e) => setFullName(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Role" path="role" problem={problem}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <FormProblem problem={problem} fields={['email', 'fullName', 'role']} />
        <button type="submit">Invite</button>
        {invited && <p role="status">{invited}</p>}
      </form>
      {(loadProblem || rowProblem) && (
        <p class="error" role="alert">
          {(rowProblem ?? loadProblem)?.detail}
        </p>
      )}
      {data && (
        <table>
          <caption class="visually-hidden">Staff</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">MFA</th>
              <th scope="col">Status</th>
              <th scope="col">Remove</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((s) => (
              <tr key={s.id}>
                <td>{s.fullName}</td>
                <td>{s.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${s.email}`}
                    value={s.role}
                    disabled={s.status !== 'active'}
                    onChange={(e) => change(s.id, e.currentTarget.value as Role)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{s.mfaEnabled ? 'on' : 'off'}</td>
                <td>{s.status}</td>
                <td>
                  {s.status === 'active' && (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Remove ${s.email}`}
                      onClick={() => remove(s.id)}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
