import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkResolved,
  checkWebhookUrl,
  failedTooLong,
  isPublicAddress,
  MAX_ATTEMPTS,
  nextAttemptAt,
  outcomeOf,
  parseRetryDelays,
  RETRY_DELAYS_MS,
  subscribes,
} from '#lib/rules/webhooks.ts';
import { retrySchedule } from '#lib/webhooks/send.ts';
import { newWebhookSecret, webhookHeaders } from '#lib/webhooks/sign.ts';

describe('webhook addresses', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '0:0:0:0:0:ffff:a00:1',
    '64:ff9b::a9fe:a9fe',
    '2002:a00:1::',
    '::127.0.0.1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('refuses what is not an address at all', () => {
    expect(isPublicAddress('example.com')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });
});

describe('webhook URLs', () => {
  const deployed = { localStage: false };
  const local = { localStage: true };

  it('takes https URLs with a host name', () => {
    const checked = checkWebhookUrl('https://hooks.example.com/in?x=1', deployed);
    expect(checked.ok && checked.target.host).toBe('hooks.example.com');
    expect(checked.ok && checked.target.port).toBe(443);
  });

  it.each([
    ['http://hooks.example.com/in', 'https'],
    ['ftp://hooks.example.com/in', 'https'],
    ['not a url', 'Not a URL'],
    ['https://user:pw@hooks.example.com/', 'user name'],
    ['https://10.0.0.1/in', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://[::1]/in', 'loopback'],
    ['https://[::ffff:127.0.0.1]/in', 'loopback'],
    ['http://127.0.0.1:4000/in', 'https'],
  ])('refuses %s when deployed', (url, message) => {
    const checked = checkWebhookUrl(url, deployed);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.message).toContain(message);
  });

  it('takes http://127.0.0.1:<port> on the local stage only, and no other plain http', () => {
    const checked = checkWebhookUrl('http://127.0.0.1:4000/hook', local);
    expect(checked.ok && checked.target.localLoopback).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1/hook', local).ok).toBe(false);
    expect(checkWebhookUrl('http://localhost:4000/hook', local).ok).toBe(false);
    expect(checkWebhookUrl('http://10.0.0.1:4000/hook', local).ok).toBe(false);
  });

  it('refuses a name when any address it resolves to is not public, and connects to a checked one', () => {
    const checked = checkWebhookUrl('https://hooks.example.com/in', deployed);
    if (!checked.ok) throw new Error('expected a valid URL');
    expect(checkResolved(checked.target, ['169.254.169.254']).ok).toBe(false);
    expect(checkResolved(checked.target, ['93.184.216.34', '10.0.0.1']).ok).toBe(false);
    expect(checkResolved(checked.target, ['::ffff:10.0.0.1']).ok).toBe(false);
    expect(checkResolved(checked.target, []).ok).toBe(false);
    expect(checkResolved(checked.target, ['93.184.216.34', '2606:4700::1'])).toEqual({
      ok: true,
      address: '93.184.216.34',
    });
  });
});

describe('the retry schedule', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, then gives up', () => {
    const start = new Date('2026-01-01T00:00:00.000Z');
    const waits = [];
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      const next = nextAttemptAt(attempts, start);
      waits.push(next ? (next.getTime() - start.getTime()) / 1000 : null);
    }
    expect(waits).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(MAX_ATTEMPTS).toBe(10);
    expect(nextAttemptAt(MAX_ATTEMPTS, start)).toBeNull();
    expect(nextAttemptAt(0, start)).toBeNull();
  });

  it('follows a schedule given in its place, and gives up after its last wait', () => {
    const start = new Date('2026-01-01T00:00:00.000Z');
    expect(nextAttemptAt(1, start, [1000, 2000])?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(nextAttemptAt(2, start, [1000, 2000])?.toISOString()).toBe('2026-01-01T00:00:02.000Z');
    expect(nextAttemptAt(3, start, [1000, 2000])).toBeNull();
  });

  it('reads a written schedule only when every wait is a positive whole number of ms', () => {
    expect(parseRetryDelays('1000, 2000,3000')).toEqual([1000, 2000, 3000]);
    for (const text of [undefined, '', '1000,', '1000,x', '0', '-5', '1.5']) {
      expect(parseRetryDelays(text), String(text)).toBeNull();
    }
  });

  it('takes a shortened schedule from the environment in the local stage only', () => {
    vi.stubEnv('WEBHOOK_RETRY_DELAYS_MS', '1000,2000');
    vi.stubEnv('STAGE', 'prod');
    expect(retrySchedule()).toBe(RETRY_DELAYS_MS);
    vi.stubEnv('STAGE', 'local');
    expect(retrySchedule()).toEqual([1000, 2000]);
    vi.stubEnv('WEBHOOK_RETRY_DELAYS_MS', 'soon');
    expect(retrySchedule()).toBe(RETRY_DELAYS_MS);
  });

  it('delivers on 2xx, disables on 410, retries anything else', () => {
    expect([200, 204, 299].map(outcomeOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(outcomeOf(410)).toBe('gone');
    expect([null, 301, 400, 404, 500, 503].map(outcomeOf)).toEqual(new Array(6).fill('retry'));
  });

  it('disables an endpoint failing for 5 days, not sooner', () => {
    const since = '2026-01-01T00:00:00.000Z';
    expect(failedTooLong(since, new Date('2026-01-05T23:59:59.000Z'))).toBe(false);
    expect(failedTooLong(since, new Date('2026-01-06T00:00:00.000Z'))).toBe(true);
    expect(failedTooLong(null, new Date('2030-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('subscribes to every type without a list, and always to its own test event', () => {
    expect(subscribes(null, 'company.created')).toBe(true);
    expect(subscribes(['account.created'], 'company.created')).toBe(false);
    expect(subscribes(['account.created'], 'account.created')).toBe(true);
    expect(subscribes(['account.created'], 'webhook.test')).toBe(true);
  });
});

describe('signing', () => {
  const payload = JSON.stringify({ id: '01J0000000000000000000000A', type: 'webhook.test' });
  const at = new Date();

  it('makes Standard Webhooks secrets of 24 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("signs what standardwebhooks' own Webhook.verify accepts, and nothing else", () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], 'msg_1', at, payload);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook(secret).verify(`${payload} `, headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(payload, headers)).toThrow();
  });

  it('carries one signature per secret during a rotation, each verifying alone', () => {
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const headers = webhookHeaders([current, previous], 'msg_2', at, payload);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
    }
  });
});
