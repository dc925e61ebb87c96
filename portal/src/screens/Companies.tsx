import { useState } from 'preact/hooks';
import { apiFor, gb, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Page, useLoad } from '../ui.tsx';
import { statusText } from './Suspension.tsx';

/** Every page of the partner's companies: the table is searched in the browser. */
export async function allCompanies(
  session: SessionProps['session'],
): Promise<Schemas['Company'][]> {
  const items: Schemas['Company'][] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      apiFor(session).GET('/v1/companies', {
        params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

export function Companies({ session }: SessionProps) {
  const { data, problem } = useLoad(() => allCompanies(session), [session.token]);
  const [search, setSearch] = useState('');
  const shown = (data ?? []).filter((c) => c.name.toLowerCase().includes(search.toLowerCase()));
  return (
    <Page title="Companies">
      <div class="toolbar">
        <label for="company-search">Search</label>
        <input
          id="company-search"
          type="search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {session.role !== 'billing' && (
          <a class="button" href="/companies/new">
            Add New Company
          </a>
        )}
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem.detail}
        </p>
      )}
      {!data && !problem && <p>Loading…</p>}
      {data && (
        <table>
          <caption class="visually-hidden">Companies</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Quota</th>
              <th scope="col">Allocated</th>
              <th scope="col">Used</th>
              <th scope="col">Accounts</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/companies/${c.id}`}>{c.name}</a>
                </td>
                <td>{gb(c.quotaMb)}</td>
                <td>{gb(c.allocatedMb)}</td>
                <td>{gb(c.usedMb)}</td>
                <td>{c.accountCount}</td>
                <td>{statusText(c)}</td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={6}>No company{search ? ' matches the search' : ' yet'}.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </Page>
  );
}
