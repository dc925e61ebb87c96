/**
 * Webhook rules (SPEC §9): which URLs and addresses an endpoint may have, the retry schedule,
 * and the time limits of rotation and disabling. Pure: the resolver and the clock are the
 * caller's.
 */
import { isIP } from 'node:net';

/** Waits after the 1st, 2nd, … failed attempt; after the last one fails the delivery is given up. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  14 * 3600_000,
  20 * 3600_000,
  24 * 3600_000,
];

/**
 * A schedule written as milliseconds separated by commas ("1000,2000"), as the local stage takes
 * one to show a whole schedule in seconds; null unless every wait is a positive whole number.
 */
export function parseRetryDelays(text: string | undefined): number[] | null {
  if (!text) return null;
  const delays = text.split(',').map((part) => Number(part.trim()));
  return delays.every((delay) => Number.isSafeInteger(delay) && delay > 0) ? delays : null;
}

/** The first attempt and one per retry. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** A receiver that has not answered within this long has failed the attempt. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** After a rotation the previous secret still signs for this long. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

/** An endpoint that has delivered nothing for this long, while failing, is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600_000;

/** A delivery's log entry is kept this long (a schedule lasts about 3 days). */
export const DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

export const MAX_URL_LENGTH = 2048;

/**
 * When the next attempt is due after `attempts` attempts have failed, the last at
 * `lastAttemptAt`; null once the schedule is spent (the delivery is then given up).
 */
export function nextAttemptAt(
  attempts: number,
  lastAttemptAt: Date,
  delays: readonly number[] = RETRY_DELAYS_MS,
): Date | null {
  const delay = delays[attempts - 1];
  if (attempts < 1 || delay === undefined) return null;
  return new Date(lastAttemptAt.getTime() + delay);
}

/** What one attempt's answer means for the delivery. */
export type AttemptOutcome = 'delivered' | 'retry' | 'gone';

export function outcomeOf(status: number | null): AttemptOutcome {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  return status === 410 ? 'gone' : 'retry';
}

/** Whether an endpoint failing since `failingSince` has gone long enough to be disabled. */
export const failedTooLong = (failingSince: string | null, now: Date): boolean =>
  failingSince !== null && now.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_MS;

/** Does the endpoint want events of this type? No list means every type. */
export const subscribes = (eventTypes: readonly string[] | null, type: string): boolean =>
  type === 'webhook.test' || eventTypes === null || eventTypes.includes(type);

// ---- Addresses --------------------------------------------------------------------------------

/** IPv4 ranges no webhook may reach: this host, private networks, metadata, CGNAT, multicast… */
const IPV4_BLOCKED: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const ipv4ToInt = (address: string): number =>
  address.split('.').reduce((value, part) => value * 256 + Number(part), 0);

function ipv4Blocked(address: string): boolean {
  const value = ipv4ToInt(address);
  return IPV4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipv4ToInt(base);
    return value >= start && value < start + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (with a dotted IPv4 tail, if it has one). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] as string;
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v4 = ipv4ToInt(dotted[1] as string);
    text = `${text.slice(0, -(dotted[1] as string).length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => Number.parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

const embeddedIpv4 = (high: number, low: number) =>
  `${high >>> 8}.${high & 0xff}.${low >>> 8}.${low & 0xff}`;

function ipv6Blocked(address: string): boolean {
  const g = ipv6Groups(address);
  if (g.length !== 8) return true;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zeroUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  // ::, ::1, and the deprecated IPv4-compatible ::a.b.c.d
  if (zeroUpTo(6)) return true;
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d: the IPv4 rules decide.
  if (zeroUpTo(5) && g5 === 0xffff) return ipv4Blocked(embeddedIpv4(g6, g7));
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return ipv4Blocked(embeddedIpv4(g6, g7));
  // NAT64 64:ff9b::/96 reaches the IPv4 address in its last 32 bits.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return ipv4Blocked(embeddedIpv4(g6, g7));
  }
  // 6to4 2002:aabb:ccdd::/48 reaches aa.bb.cc.dd.
  if (g0 === 0x2002) return ipv4Blocked(embeddedIpv4(g1, g2));
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // site-local fec0::/10 (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true; // multicast ff00::/8
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard 100::/64
  return false;
}

/**
 * Whether a webhook may be delivered to this address. Anything that is not an IP address is
 * refused: only a resolved address can be checked.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !ipv4Blocked(address);
  if (family === 6) return !ipv6Blocked(address);
  return false;
}

// ---- URLs -------------------------------------------------------------------------------------

export interface WebhookTarget {
  url: URL;
  /** The host to resolve, without IPv6 brackets. */
  host: string;
  port: number;
  /** The local stage's `http://127.0.0.1:<port>`: delivered to loopback on purpose. */
  localLoopback: boolean;
}

export type UrlCheck = { ok: true; target: WebhookTarget } | { ok: false; message: string };

/**
 * The URL's own rules, before any name is resolved: `https` (or, on the local stage,
 * `http://127.0.0.1:<port>`), no credentials, no literal address that is not public.
 */
export function checkWebhookUrl(text: string, options: { localStage: boolean }): UrlCheck {
  if (text.length > MAX_URL_LENGTH) {
    return { ok: false, message: `At most ${MAX_URL_LENGTH} characters.` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'Not a URL.' };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Must not carry a user name or password.' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const localLoopback =
    options.localStage && url.protocol === 'http:' && host === '127.0.0.1' && url.port !== '';
  if (localLoopback) {
    return { ok: true, target: { url, host, port: Number(url.port), localLoopback } };
  }
  if (url.protocol !== 'https:') {
    return {
      ok: false,
      message: options.localStage
        ? 'Must be an https URL (or http://127.0.0.1:<port> on the local stage).'
        : 'Must be an https URL.',
    };
  }
  if (!host) return { ok: false, message: 'Must name a host.' };
  if (isIP(host) && !isPublicAddress(host)) {
    return {
      ok: false,
      message: 'Must not be a loopback, private, link-local or reserved address.',
    };
  }
  const port = url.port ? Number(url.port) : 443;
  return { ok: true, target: { url, host, port, localLoopback: false } };
}

/**
 * The addresses a name resolved to, checked: all must be public (a name with one private
 * address among public ones could be steered to it), and the first is the one to connect to.
 */
export function checkResolved(
  target: WebhookTarget,
  addresses: readonly string[],
): { ok: true; address: string } | { ok: false; message: string } {
  if (target.localLoopback) return { ok: true, address: '127.0.0.1' };
  if (addresses.length === 0) return { ok: false, message: 'The host does not resolve.' };
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) {
    return {
      ok: false,
      message: 'The host resolves to a loopback, private, link-local or reserved address.',
    };
  }
  return { ok: true, address: addresses[0] as string };
}
