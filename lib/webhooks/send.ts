/**
 * One webhook POST: the URL's host resolved, every address checked (lib/rules/webhooks.ts),
 * then the connection made to the checked address itself, so a name that changes its answer
 * between the check and the connection (DNS rebinding) cannot steer it elsewhere. TLS still
 * verifies the certificate against the URL's host name.
 */
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  checkResolved,
  checkWebhookUrl,
  DELIVERY_TIMEOUT_MS,
  parseRetryDelays,
  RETRY_DELAYS_MS,
  type WebhookTarget,
} from '#lib/rules/webhooks.ts';

/** A host name's addresses; injected by tests, which must not need real DNS. */
export type Resolve = (host: string) => Promise<string[]>;

export const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Only the local stage delivers to `http://127.0.0.1:<port>`. */
export const isLocalStage = (): boolean => process.env.STAGE === 'local';

/**
 * The retry schedule: SPEC's, or in the local stage only, `WEBHOOK_RETRY_DELAYS_MS` when set, so
 * a whole schedule can be watched in seconds (README "Trying webhooks locally").
 */
export const retrySchedule = (): readonly number[] =>
  (isLocalStage() && parseRetryDelays(process.env.WEBHOOK_RETRY_DELAYS_MS)) || RETRY_DELAYS_MS;

export type TargetCheck =
  | { ok: true; target: WebhookTarget; address: string }
  | { ok: false; message: string };

/** The URL's rules, then its host's addresses: at registration and before every attempt. */
export async function checkTarget(
  url: string,
  resolve: Resolve = systemResolve,
): Promise<TargetCheck> {
  const checked = checkWebhookUrl(url, { localStage: isLocalStage() });
  if (!checked.ok) return checked;
  const { target } = checked;
  let addresses: string[];
  try {
    addresses = target.localLoopback ? [] : await resolve(target.host);
  } catch {
    return { ok: false, message: 'The host does not resolve.' };
  }
  const resolved = checkResolved(target, addresses);
  return resolved.ok ? { ok: true, target, address: resolved.address } : resolved;
}

export interface PostResult {
  /** The receiver's status; null when none came (refused address, timeout, connection error). */
  status: number | null;
  error: string | null;
}

export interface SendOptions {
  resolve?: Resolve;
  timeoutMs?: number;
}

/** POSTs `body` with `headers`; never throws: every failure is a result to record. */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions = {},
): Promise<PostResult> {
  const checked = await checkTarget(url, options.resolve);
  if (!checked.ok) return { status: null, error: `Address refused: ${checked.message}` };
  const { target, address } = checked;
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const secure = target.url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send({
      host: address,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      method: 'POST',
      // The name the certificate must match, and the Host the receiver routes on.
      ...(secure ? { servername: target.host } : {}),
      headers: {
        host: target.url.host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'backup-provisioning-webhooks/1',
        ...headers,
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, error: `No answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    req.on('response', (res) => {
      // The body is not read for anything: drained so the connection can be reused.
      res.resume();
      res.on('end', () => finish({ status: res.statusCode ?? null, error: null }));
      res.on('error', () => finish({ status: res.statusCode ?? null, error: null }));
    });
    req.on('error', (error) =>
      finish({ status: null, error: `Connection failed: ${error.message}` }),
    );
    req.end(body);
  });
}
