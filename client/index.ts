/**
 * A typed client of the API: openapi-fetch over the types generated from the OpenAPI document
 * (schema.d.ts, by `npm run client:generate`). Bodies, parameters and replies are typed by
 * operation; a contract change breaks the build of whatever uses it.
 */
import createFetchClient, { type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type { components, paths };
export type Schemas = components['schemas'];

export interface ApiOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** A partner or storage key, or a session token. */
  token?: string;
}

export function createApiClient(baseUrl: string, { token, headers, ...options }: ApiOptions = {}) {
  return createFetchClient<paths>({
    baseUrl,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...options,
  });
}
