import { useState } from 'preact/hooks';
import { apiFor, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Page } from '../ui.tsx';

type Entry = Schemas['AuditEntry'];

export function AuditLog({ session }: SessionProps) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (from: string | null) => {
    try {
      const page = await unwrap(
        apiFor(session).GET('/v1/audit', {
          params: { query: { limit: 50, ...(from ? { cursor: from } : {}) } },
        }),
      );
      setEntries((old) => [...(from ? (old ?? []) : []), ...page.items]);
      setCursor(page.nextCursor ?? null);
    } catch (problem) {
      setError((problem as { detail: string }).detail);
    }
  };
  if (entries === null && error === null) void load(null);
  return (
    <Page title="Audit Log">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries && (
        <table>
          <caption class="visually-hidden">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Acting as</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td>{e.actingAs ?? ''}</td>
                <td>{e.action}</td>
                <td>
                  {e.targetType} {e.targetId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => load(cursor)}>
          Older entries
        </button>
      )}
    </Page>
  );
}
