import { type components, createApiClient, type paths } from '../../client/index.ts';
import type { Session } from './session.ts';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
/** The JSON body an operation takes, from the generated types. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The typed client on the portal's own origin: a contract change breaks the portal's build. */
export const apiFor = (session: Session | null) =>
  createApiClient(location.origin, session ? { token: session.token } : {});

/** A refused call's problem document, or one made up for a network failure. */
export function asProblem(error: unknown, status = 0): Problem {
  if (error && typeof error === 'object' && 'detail' in error && 'status' in error) {
    const p = error as Partial<Problem>;
    return {
      type: p.type ?? 'about:blank',
      title: p.title ?? 'Error',
      status: p.status ?? status,
      code: p.code ?? 'ERROR',
      detail: p.detail ?? 'The request was refused.',
      errors: p.errors ?? [],
    };
  }
  return {
    type: 'about:blank',
    title: 'Error',
    status,
    code: 'NETWORK',
    detail: 'The service did not answer. Try again.',
    errors: [],
  };
}

/** Unwraps an openapi-fetch reply: its data, or throws its problem. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let reply: { data?: T; error?: unknown; response: Response };
  try {
    reply = await call;
  } catch (error) {
    throw asProblem(error);
  }
  if (reply.error !== undefined || !reply.response.ok) {
    const problem = asProblem(reply.error, reply.response.status);
    // Only a token the API no longer takes ends the session; a wrong password or code does not.
    if (problem.status === 401 && problem.code === 'UNAUTHORIZED')
      window.dispatchEvent(new Event('portal:unauthorized'));
    throw problem;
  }
  return reply.data as T;
}

export const MB_PER_GB = 1024;

type Ladder = Schemas['Partner']['ladder'];

/** The sizes of the partner's ladder in GB, as GET /v1/partner describes it, up to maxGb. */
export function ladderGb(ladder: Ladder, maxGb = 2000): number[] {
  const sizes = [...ladder.rungsGb];
  const top = sizes[sizes.length - 1] ?? 0;
  for (let size = top + ladder.stepGbAbove100; size <= maxGb; size += ladder.stepGbAbove100)
    sizes.push(size);
  return sizes;
}

const partners = new Map<string, Promise<Schemas['Partner']>>();

/** The caller's partner (name, ladder), read once per session. */
export function partnerOf(session: Session): Promise<Schemas['Partner']> {
  let found = partners.get(session.token);
  if (!found) {
    found = unwrap(apiFor(session).GET('/v1/partner'));
    found.catch(() => partners.delete(session.token));
    partners.set(session.token, found);
  }
  return found;
}

export function gb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return 'Unlimited';
  const value = mb / MB_PER_GB;
  return `${Number.isInteger(value) ? value : value.toFixed(2)} GB`;
}

export const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${value.toFixed(1)} %`;

/** Each POST carries its own key, so a retried click never creates a second object. */
export const idempotencyKey = () => crypto.randomUUID();
