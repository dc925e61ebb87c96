import { useEffect, useRef, useState } from 'preact/hooks';
import { apiFor, type Problem, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import { Page } from '../ui.tsx';
import { allCompanies } from './Companies.tsx';

type Event = Schemas['Event'];
type EventType = Event['type'];

/**
 * Every event type, for the filter. A record keyed by the generated union: a type added to or
 * dropped from the contract fails the portal's typecheck until this list follows.
 */
const TYPES: Record<EventType, true> = {
  'company.created': true,
  'company.updated': true,
  'company.suspended': true,
  'company.reactivated': true,
  'company.cancelled': true,
  'account.created': true,
  'account.updated': true,
  'account.suspended': true,
  'account.reactivated': true,
  'account.cancelled': true,
  'trial.reminder_sent': true,
  'trial.expired': true,
  'trial.extended': true,
  'trial.converted': true,
  'quota.threshold_crossed': true,
  'quota.recovered': true,
  'password.reset_sent': true,
  'webhook.test': true,
};
export const EVENT_TYPES = Object.keys(TYPES) as EventType[];

const PAGE_SIZE = 25;

/** The account an event is about, when its data carries it (the account events do). */
const accountOf = (event: Event) =>
  'account' in event.data ? (event.data.account as Schemas['Account']) : null;

export function Events({ session }: SessionProps) {
  const [type, setType] = useState<EventType | ''>('');
  const [events, setEvents] = useState<Event[] | null>(null);
  // The cursor of the next page; at the feed's end, the last event seen (newer ones come later).
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [atEnd, setAtEnd] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  // A filter change while a page is loading: only the latest request may fill the table.
  const generation = useRef(0);

  const load = async (after: string | null, filter: EventType | '', append: boolean) => {
    const mine = ++generation.current;
    setBusy(true);
    try {
      // The API filters a page after reading it, so a filtered page may come back short (even
      // empty) with a cursor: read on, a few pages at most, until a page's worth is there.
      const items: Event[] = [];
      let cursor = after;
      let more = true;
      for (let round = 0; round < 8 && more && items.length < PAGE_SIZE; round += 1) {
        const page = await unwrap(
          apiFor(session).GET('/v1/events', {
            params: {
              query: {
                limit: PAGE_SIZE,
                ...(cursor ? { after: cursor } : {}),
                ...(filter ? { type: filter } : {}),
              },
            },
          }),
        );
        items.push(...page.items);
        more = page.nextCursor !== null;
        cursor = page.nextCursor ?? cursor;
      }
      if (mine !== generation.current) return;
      const all = [...(append ? (events ?? []) : []), ...items];
      setEvents(all);
      setAtEnd(!more);
      // At the end, the last event seen: "Check for newer events" reads on from there.
      setNextCursor(more ? cursor : (all[all.length - 1]?.id ?? null));
      setProblem(null);
    } catch (error) {
      if (mine === generation.current) setProblem(error as Problem);
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  };

  useEffect(() => {
    void load(null, type, false);
  }, [session.token, type]);

  // Company names for the Company column; the feed itself carries ids only.
  useEffect(() => {
    let live = true;
    allCompanies(session).then(
      (companies) => live && setNames(new Map(companies.map((c) => [c.id, c.name]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session.token]);

  return (
    <Page title="Events">
      <p class="hint">
        Every change, oldest first, kept 30 days. An event is listed 5 seconds after it happened.
      </p>
      <div class="toolbar">
        <label for="event-type">Event Type</label>
        <select
          id="event-type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as EventType | '')}
        >
          <option value="">All types</option>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem.detail}
        </p>
      )}
      {!events && !problem && <p>Loading…</p>}
      {events && (
        <table>
          <caption class="visually-hidden">Events, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Company</th>
              <th scope="col">Account</th>
              <th scope="col">Actor</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const account = accountOf(e);
              return (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.occurredAt}>{new Date(e.occurredAt).toLocaleString()}</time>
                  </td>
                  <td>{e.type}</td>
                  <td>
                    {e.companyId && (
                      <a href={`/companies/${e.companyId}`}>
                        {names.get(e.companyId) ?? e.companyId}
                      </a>
                    )}
                  </td>
                  <td>{account ? account.username : (e.accountId ?? '')}</td>
                  <td>{e.actor}</td>
                  <td>
                    <details>
                      <summary>
                        Show data<span class="visually-hidden"> of event {e.id}</span>
                      </summary>
                      <pre class="event-data">{JSON.stringify(e.data, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              );
            })}
            {events.length === 0 && (
              <tr>
                <td colSpan={6}>No event{type ? ' of this type' : ''} yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {events && (
        <button
          type="button"
          disabled={busy}
          onClick={() => (nextCursor ? load(nextCursor, type, true) : load(null, type, false))}
        >
          {atEnd ? 'Check for newer events' : 'Load more'}
        </button>
      )}
      <p class="visually-hidden" role="status">
        {events ? `${events.length} events shown${atEnd ? ', the feed read to its end' : ''}.` : ''}
      </p>
    </Page>
  );
}
