import { useState } from 'preact/hooks';
import { apiFor, type Problem, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Field, FormProblem, Page, ShownOnce, useLoad } from '../ui.tsx';

type Scope = Schemas['ApiKey']['scope'];

/** The partner's API keys (owners and admins): a new key is shown once, here, and never again. */
export function ApiKeys({ session }: SessionProps) {
  const api = apiFor(session);
  const {
    data,
    problem: loadProblem,
    reload,
  } = useLoad(
    () => unwrap(api.GET('/v1/api-keys', { params: { query: { limit: 100 } } })),
    [session.token],
  );
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<Schemas['CreatedApiKey'] | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    try {
      setCreated(await unwrap(api.POST('/v1/api-keys', { body: { name, scope } })));
      setProblem(null);
      setName('');
      reload();
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  const revoke = async (keyId: string) => {
    try {
      await unwrap(api.DELETE('/v1/api-keys/{keyId}', { params: { path: { keyId } } }));
      reload();
    } catch (error) {
      setProblem(error as Problem);
    }
  };

  return (
    <Page title="API Keys">
      <form onSubmit={create}>
        <h2>Create API Key</h2>
        <Field label="Key Name" path="name" problem={problem}>
          {(p) => (
            <input {...p} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Scope" path="scope" problem={problem}>
          {(p) => (
            <select {...p} value={scope} onChange={(e) => setScope(e.currentTarget.value as Scope)}>
              <option value="read">read (GET routes only)</option>
              <option value="full">full</option>
            </select>
          )}
        </Field>
        <FormProblem problem={problem} fields={['name', 'scope']} />
        <button type="submit">Create Key</button>
      </form>
      {created && (
        <ShownOnce
          of={`The key ${created.name}`}
          value={created.key}
          testId="new-key"
          onDone={() => setCreated(null)}
        />
      )}
      {loadProblem && (
        <p class="error" role="alert">
          {loadProblem.detail}
        </p>
      )}
      {data && (
        <table>
          <caption class="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.scope}</td>
                <td>
                  <code>{k.prefix}</code>
                </td>
                <td>{k.createdAt.slice(0, 10)}</td>
                <td>{k.lastUsedAt ? k.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never'}</td>
                <td>
                  {k.revokedAt ? (
                    'revoked'
                  ) : (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke ${k.name}`}
                      onClick={() => revoke(k.id)}
                    >
                      Revoke
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
