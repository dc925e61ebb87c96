import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import {
  apiFor,
  gb,
  idempotencyKey,
  MB_PER_GB,
  type Problem,
  partnerOf,
  percent,
  type Schemas,
  unwrap,
} from '../api.ts';
import type { SessionProps } from '../main.tsx';
import type { Session } from '../session.ts';
import { Field, FormProblem, Page, useLadder, useLoad } from '../ui.tsx';
import { AccountActions } from './AccountActions.tsx';
import { CreateAccount } from './CreateAccount.tsx';
import { SuspensionActions, statusText } from './Suspension.tsx';

type Account = Schemas['Account'];

async function loadCompany(session: Session, companyId: string) {
  const api = apiFor(session);
  const path = { companyId };
  const accounts: Account[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/v1/companies/{companyId}/accounts', {
        params: { path, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    accounts.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Billing staff read companies, accounts and usage, not contacts (SPEC §7): nor do they create.
  const readsContacts = session.role !== 'billing';
  const [company, usage, contacts] = await Promise.all([
    unwrap(api.GET('/v1/companies/{companyId}', { params: { path } })),
    unwrap(api.GET('/v1/companies/{companyId}/usage', { params: { path, query: { limit: 100 } } })),
    readsContacts
      ? unwrap(
          api.GET('/v1/companies/{companyId}/contacts', {
            params: { path, query: { limit: 100 } },
          }),
        )
      : Promise.resolve({ items: [] }),
  ]);
  return { company, usage, accounts, contacts: contacts.items };
}

export type CompanyData = Awaited<ReturnType<typeof loadCompany>>;

/** Parents first, each followed by its sub-accounts (the seed's Backup Account Usage table). */
function usageRows(data: CompanyData) {
  const byId = new Map(data.accounts.map((a) => [a.id, a]));
  const rows = data.usage.items;
  const ordered: Array<{ row: (typeof rows)[number]; sub: boolean }> = [];
  for (const row of rows) {
    if (row.kind !== 'parent') continue;
    ordered.push({ row, sub: false });
    for (const child of rows)
      if (child.kind === 'sub' && byId.get(child.accountId)?.parentId === row.accountId)
        ordered.push({ row: child, sub: true });
  }
  // A sub whose parent is not on this page still shows.
  for (const row of rows) if (!ordered.some((o) => o.row === row)) ordered.push({ row, sub: true });
  return ordered;
}

function PoolResize({
  session,
  company,
  onDone,
}: {
  session: Session;
  company: Schemas['Company'];
  onDone: () => void;
}) {
  const [size, setSize] = useState(company.quotaMb ? String(company.quotaMb / MB_PER_GB) : '');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);
  const ladder = useLadder(session);
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    try {
      await unwrap(
        apiFor(session).PATCH('/v1/companies/{companyId}', {
          params: { path: { companyId: company.id } },
          body: { quotaMb: Number(size) * MB_PER_GB },
        }),
      );
      setProblem(null);
      setSaved(true);
      onDone();
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  if (!ladder) return null;
  return (
    <form class="inline" onSubmit={submit}>
      <Field label="Quota In GB" path="quotaMb" problem={problem}>
        {(p) => (
          <select {...p} value={size} onChange={(e) => setSize(e.currentTarget.value)}>
            {ladder.map((gbSize) => (
              <option key={gbSize} value={String(gbSize)}>
                {gbSize} GB
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit">Resize Pool</button>
      <FormProblem problem={problem} fields={['quotaMb']} />
      {saved && <span role="status">Pool resized.</span>}
    </form>
  );
}

export function CompanyPage({ session, setSession }: SessionProps) {
  const { params } = useRoute();
  const companyId = params.id as string;
  const { data, problem, reload } = useLoad(
    () => loadCompany(session, companyId),
    [companyId, session.token],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [impersonateProblem, setImpersonateProblem] = useState<Problem | null>(null);
  const partner = session.kind === 'partner';
  const writes = session.role !== 'billing';

  const impersonate = async () => {
    if (!data) return;
    try {
      const reply = await unwrap(
        apiFor(session).POST('/v1/companies/{companyId}/impersonate', {
          params: { path: { companyId }, header: { 'Idempotency-Key': idempotencyKey() } },
        }),
      );
      setSession({
        token: reply.token,
        expiresAt: reply.expiresAt,
        kind: 'companyAdmin',
        companyId: reply.companyId,
        label: `${data.company.name} admin`,
        resume: { ...session, partnerName: (await partnerOf(session)).name },
      });
    } catch (error) {
      setImpersonateProblem(error as Problem);
    }
  };

  if (problem && !data)
    return (
      <Page title="Company">
        <p class="error" role="alert">
          {problem.detail}
        </p>
      </Page>
    );
  if (!data)
    return (
      <Page title="Company">
        <p>Loading…</p>
      </Page>
    );
  const { company, usage } = data;
  const account = data.accounts.find((a) => a.id === selected) ?? null;
  return (
    <Page title={company.name}>
      <dl class="pool">
        <dt>Status</dt>
        <dd>{statusText(company)}</dd>
        <dt>Quota</dt>
        <dd>{gb(company.quotaMb)}</dd>
        <dt>Allocated</dt>
        <dd>{gb(company.allocatedMb)}</dd>
        <dt>Free</dt>
        <dd>{gb(company.freeMb)}</dd>
        <dt>Used</dt>
        <dd>{gb(company.usedMb)}</dd>
      </dl>
      {partner && writes && company.quotaMb !== null && (
        <PoolResize session={session} company={company} onDone={reload} />
      )}
      {partner && writes && company.status === 'active' && (
        <SuspensionActions
          session={session}
          target={{ kind: 'company', companyId, suspension: company.suspension }}
          onDone={reload}
        />
      )}
      {!partner && company.suspension && (
        <p role="note">
          This company is suspended since {company.suspension.since.slice(0, 10)}: its accounts take
          no backups and it cannot be changed here. Contact your provider.
        </p>
      )}
      {partner && writes && company.status === 'active' && (
        <p>
          <button type="button" onClick={impersonate}>
            Login as Company Admin
          </button>
          {impersonateProblem && (
            <span class="error" role="alert">
              {impersonateProblem.detail}
            </span>
          )}
        </p>
      )}
      <h2 id="usage-title">Backup Account Usage</h2>
      <table aria-labelledby="usage-title">
        <thead>
          <tr>
            <th scope="col">Account Name</th>
            <th scope="col">Plan</th>
            <th scope="col">Status</th>
            <th scope="col">Size</th>
            <th scope="col">Used</th>
            <th scope="col">Percent</th>
            {writes && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {usageRows(data).map(({ row, sub }) => (
            <tr key={row.accountId} class={sub ? 'sub' : ''}>
              <th scope="row">
                {sub && <span aria-hidden="true">↳ </span>}
                {row.username}
                {sub && <span class="visually-hidden"> (sub-account)</span>}
              </th>
              <td>{row.plan}</td>
              <td>
                {statusText({
                  status: row.status,
                  suspension: data.accounts.find((a) => a.id === row.accountId)?.suspension ?? null,
                })}
              </td>
              <td>{gb(row.sizeMb)}</td>
              <td>{gb(row.usedMb)}</td>
              <td>{percent(row.percentUsed)}</td>
              {writes && (
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Manage ${row.username}`}
                    aria-expanded={selected === row.accountId}
                    onClick={() => setSelected(selected === row.accountId ? null : row.accountId)}
                  >
                    Manage
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total ({usage.totals.accounts})</th>
            <td />
            <td />
            <td>{gb(usage.totals.sizeMb)}</td>
            <td>{gb(usage.totals.usedMb)}</td>
            <td>{percent(usage.totals.percentUsed)}</td>
            {writes && <td />}
          </tr>
        </tfoot>
      </table>
      {account && (
        <AccountActions
          key={account.id}
          session={session}
          company={company}
          account={account}
          onDone={reload}
          onClose={() => setSelected(null)}
        />
      )}
      {writes && company.status === 'active' && (
        <p>
          <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            Create Account
          </button>
        </p>
      )}
      {creating && (
        <CreateAccount
          session={session}
          data={data}
          onDone={() => {
            setCreating(false);
            reload();
          }}
        />
      )}
    </Page>
  );
}
