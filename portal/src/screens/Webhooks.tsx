import { useState } from 'preact/hooks';
import { apiFor, idempotencyKey, type Problem, type Schemas, unwrap } from '../api.ts';
import type { SessionProps } from '../main.tsx';
import type { Session } from '../session.ts';
import { Check, Field, FormProblem, Page, ShownOnce, useLoad } from '../ui.tsx';
import { EVENT_TYPES } from './Events.tsx';

type Webhook = Schemas['Webhook'];
type EventType = (typeof EVENT_TYPES)[number];

const when = (at: string | null) => (at ? at.slice(0, 19).replace('T', ' ') : '—');

/** One endpoint's delivery log, newest first, with a `Retry` for each delivery not delivered. */
function Deliveries({ session, webhook }: { session: Session; webhook: Webhook }) {
  const api = apiFor(session);
  const path = { webhookId: webhook.id };
  const { data, problem, reload } = useLoad(
    () =>
      unwrap(
        api.GET('/v1/webhooks/{webhookId}/deliveries', {
          params: { path, query: { limit: 50 } },
        }),
      ),
    [webhook.id, session.token],
  );
  const [retryProblem, setRetryProblem] = useState<Problem | null>(null);
  const retry = async (deliveryId: string) => {
    setRetryProblem(null);
    try {
      await unwrap(
        api.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry', {
          params: { path: { ...path, deliveryId } },
        }),
      );
      reload();
    } catch (error) {
      setRetryProblem(error as Problem);
    }
  };
  return (
    <section class="panel" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries to {webhook.url}</h2>
      <button type="button" class="secondary" onClick={reload}>
        Refresh
      </button>
      {(problem ?? retryProblem) && (
        <p class="error" role="alert">
          {(problem ?? retryProblem)?.detail}
        </p>
      )}
      {data && (
        <table aria-labelledby="deliveries-title">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last Response</th>
              <th scope="col">Next Attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.eventId}</code>
                </td>
                <td>{d.eventType}</td>
                <td>{d.status.replace('_', ' ')}</td>
                <td>{d.attempts}</td>
                <td>{d.lastResponseStatus ?? d.lastError ?? '—'}</td>
                <td>{when(d.nextAttemptAt)}</td>
                <td>
                  {d.status !== 'delivered' && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Retry ${d.eventId}`}
                      onClick={() => retry(d.id)}
                    >
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {data.items.length === 0 && (
              <tr>
                <td colSpan={7}>Nothing was sent to this endpoint yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The partner's webhook endpoints (owners and admins): register, test, rotate, disable, remove. */
export function Webhooks({ session }: SessionProps) {
  const api = apiFor(session);
  const {
    data,
    problem: loadProblem,
    reload,
  } = useLoad(
    () => unwrap(api.GET('/v1/webhooks', { params: { query: { limit: 100 } } })),
    [session.token],
  );
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<EventType[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [secret, setSecret] = useState<Schemas['WebhookWithSecret'] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const act = async (what: () => Promise<unknown>, message: string | null) => {
    setProblem(null);
    setDone(null);
    try {
      await what();
      if (message) setDone(message);
      reload();
    } catch (error) {
      setProblem(error as Problem);
    }
  };
  const register = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const body = {
        url,
        ...(description ? { description } : {}),
        ...(types.length ? { eventTypes: types } : {}),
      };
      setSecret(await unwrap(api.POST('/v1/webhooks', { body })));
      setUrl('');
      setDescription('');
      setTypes([]);
    }, null);
  };
  const params = (webhook: Webhook) => ({ path: { webhookId: webhook.id } });
  const rotate = (webhook: Webhook) =>
    act(async () => {
      setSecret(
        await unwrap(
          api.POST('/v1/webhooks/{webhookId}/rotate-secret', { params: params(webhook) }),
        ),
      );
    }, null);
  const sendTest = (webhook: Webhook) =>
    act(
      () =>
        unwrap(
          api.POST('/v1/webhooks/{webhookId}/test', {
            params: { ...params(webhook), header: { 'Idempotency-Key': idempotencyKey() } },
          }),
        ),
      `A test event is on its way to ${webhook.url}.`,
    );
  const setEnabled = (webhook: Webhook, enabled: boolean) =>
    act(
      () =>
        unwrap(
          api.PATCH('/v1/webhooks/{webhookId}', { params: params(webhook), body: { enabled } }),
        ),
      `${webhook.url} is ${enabled ? 'enabled' : 'disabled'}.`,
    );
  const remove = (webhook: Webhook) =>
    act(async () => {
      await unwrap(api.DELETE('/v1/webhooks/{webhookId}', { params: params(webhook) }));
      if (selected === webhook.id) setSelected(null);
    }, `${webhook.url} was removed.`);
  const toggleType = (type: EventType, on: boolean) =>
    setTypes(on ? [...types, type] : types.filter((t) => t !== type));
  const shown = data?.items.find((w) => w.id === selected) ?? null;

  return (
    <Page title="Webhooks">
      <form onSubmit={register}>
        <h2>Register Endpoint</h2>
        <Field
          label="URL"
          path="url"
          problem={problem}
          hint="https, on a public address; checked again before every delivery."
        >
          {(p) => (
            <input
              {...p}
              type="url"
              required
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Description" path="description" problem={problem}>
          {(p) => (
            <input
              {...p}
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
        <fieldset>
          <legend>Event Types (none chosen: every type)</legend>
          {EVENT_TYPES.map((type) => (
            <Check
              key={type}
              label={type}
              checked={types.includes(type)}
              onChange={(on) => toggleType(type, on)}
            />
          ))}
        </fieldset>
        <FormProblem problem={problem} fields={['url', 'description', 'eventTypes']} />
        <button type="submit">Register Endpoint</button>
      </form>
      {secret && (
        <ShownOnce
          of={`The signing secret of ${secret.url}`}
          value={secret.secret}
          testId="webhook-secret"
          onDone={() => setSecret(null)}
        />
      )}
      {done && <p role="status">{done}</p>}
      {loadProblem && (
        <p class="error" role="alert">
          {loadProblem.detail}
        </p>
      )}
      {data && (
        <table>
          <caption class="visually-hidden">Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Description</th>
              <th scope="col">Event Types</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((w) => (
              <tr key={w.id}>
                <th scope="row">{w.url}</th>
                <td>{w.description ?? ''}</td>
                <td>{w.eventTypes ? w.eventTypes.join(', ') : 'every type'}</td>
                <td>
                  {w.enabled
                    ? 'enabled'
                    : `disabled${w.disabledReason ? ` (${w.disabledReason})` : ''}`}
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Deliveries of ${w.url}`}
                    aria-expanded={selected === w.id}
                    onClick={() => setSelected(selected === w.id ? null : w.id)}
                  >
                    Deliveries
                  </button>
                  {w.enabled && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Send Test to ${w.url}`}
                      onClick={() => sendTest(w)}
                    >
                      Send Test
                    </button>
                  )}
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Rotate Secret of ${w.url}`}
                    onClick={() => rotate(w)}
                  >
                    Rotate Secret
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`${w.enabled ? 'Disable' : 'Enable'} ${w.url}`}
                    onClick={() => setEnabled(w, !w.enabled)}
                  >
                    {w.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Remove ${w.url}`}
                    onClick={() => remove(w)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {data.items.length === 0 && (
              <tr>
                <td colSpan={5}>No endpoint yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {shown && <Deliveries key={shown.id} session={session} webhook={shown} />}
    </Page>
  );
}
