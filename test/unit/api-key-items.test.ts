import { describe, expect, it } from 'vitest';
import { generatePartnerKey, keyPrefix, PREFIX_LENGTH } from '#lib/auth/api-keys.ts';
import { hashApiKey } from '#lib/auth/secrets.ts';
import { touchDue } from '#lib/rules/api-keys.ts';
import {
  type ApiKey,
  apiKeyFromItem,
  apiKeyToItems,
  keyLookupFromItem,
} from '#lib/store/api-keys.ts';
import { readArguments } from '../../scripts/lib/cli-args.ts';

const PARTNER = '01JPARTNER0000000000000000';
const apiKey = generatePartnerKey(PARTNER);
const keyHash = hashApiKey(apiKey);

const key: ApiKey = {
  id: '01JKEY00000000000000000000',
  partnerId: PARTNER,
  name: 'Nightly sync',
  scope: 'read',
  prefix: keyPrefix(apiKey),
  createdAt: '2026-12-01T09:00:00.000Z',
  createdBy: 'staff:01JSTAFF000000000000000000',
  lastUsedAt: null,
  revokedAt: null,
};

describe('partner keys', () => {
  it('end with their partner id and show a prefix of the secret only', () => {
    // Act
    const [, secret, partnerId] = /^pk_(.{43})_(.{26})$/.exec(apiKey) ?? [];

    // Assess
    expect(partnerId).toBe(PARTNER);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keyPrefix(apiKey)).toHaveLength(PREFIX_LENGTH);
    expect(keyPrefix(apiKey)).toBe(`pk_${secret?.slice(0, 8)}`);
    expect(generatePartnerKey(PARTNER)).not.toBe(apiKey);
  });
});

describe('apiKeyToItems / apiKeyFromItem', () => {
  it('round-trips a key through its listing item', () => {
    // Act
    const { listing } = apiKeyToItems(key, keyHash);

    // Assess
    expect(apiKeyFromItem(listing)).toEqual(key);
  });

  it('round-trips a used and revoked key', () => {
    // Prepare
    const used = {
      ...key,
      lastUsedAt: '2026-12-01T10:00:00.000Z',
      revokedAt: '2026-12-02T10:00:00.000Z',
    };

    // Act
    const { lookup, listing } = apiKeyToItems(used, keyHash);

    // Assess
    expect(apiKeyFromItem(listing)).toEqual(used);
    expect(lookup).toMatchObject({ revokedAt: used.revokedAt, lastUsedAt: used.lastUsedAt });
  });

  it('stores the hash and never the key, and no nulls the touch condition would trip on', () => {
    // Act
    const items = apiKeyToItems(key, keyHash);

    // Assess
    const text = JSON.stringify(items);
    expect(text).not.toContain(apiKey);
    expect(text).toContain(keyHash);
    for (const item of Object.values(items)) {
      expect(item).not.toHaveProperty('lastUsedAt');
      expect(item).not.toHaveProperty('revokedAt');
    }
  });

  it('gives the authorizer what it needs from the lookup item alone', () => {
    // Act
    const { lookup } = apiKeyToItems(key, keyHash);

    // Assess
    expect(keyLookupFromItem(lookup)).toEqual({
      role: 'partner',
      partnerId: PARTNER,
      keyId: key.id,
      scope: 'read',
      revoked: false,
      lastUsedAt: null,
    });
  });
});

describe('keyLookupFromItem', () => {
  it('reads a key stored before keys had ids as a full key without an id', () => {
    // Prepare: as putPartnerWithKey wrote them, with the partner's name copied onto the key.
    const legacy = {
      role: 'partner',
      partnerId: PARTNER,
      partnerName: 'Acme',
      fineIncrements: true,
    };

    // Act
    const lookup = keyLookupFromItem(legacy);

    // Assess
    expect(lookup).toEqual({
      role: 'partner',
      partnerId: PARTNER,
      keyId: null,
      scope: 'full',
      revoked: false,
      lastUsedAt: null,
    });
  });

  it.each([
    ['no role', { partnerId: PARTNER }],
    ['an unknown role', { role: 'root', partnerId: PARTNER }],
    ['a partner key without a partner', { role: 'partner' }],
    ['a partner key with an empty partner', { role: 'partner', partnerId: '' }],
  ])('reads %s as nothing', (_label, item) => {
    expect(keyLookupFromItem(item)).toBeNull();
  });

  it('reads a storage key and a revoked key', () => {
    expect(keyLookupFromItem({ role: 'storage' })).toEqual({ role: 'storage' });
    expect(
      keyLookupFromItem({ role: 'partner', partnerId: PARTNER, revokedAt: '2026-12-01T00:00:00Z' }),
    ).toMatchObject({ revoked: true });
  });

  it.each([
    ['no scope (an older key)', undefined, 'full'],
    ['full', 'full', 'full'],
    ['read', 'read', 'read'],
    ['an unknown scope', 'admin', 'read'],
  ])('reads %s as %s', (_label, scope, expected) => {
    const lookup = keyLookupFromItem({ role: 'partner', partnerId: PARTNER, scope });
    expect(lookup).toMatchObject({ scope: expected });
  });
});

describe('touchDue', () => {
  const now = new Date('2026-12-01T09:00:00.000Z');

  it.each([
    ['never used', null, true],
    ['used just over a minute ago', '2026-12-01T08:58:59.999Z', true],
    ['used exactly a minute ago', '2026-12-01T08:59:00.000Z', false],
    ['used a second ago', '2026-12-01T08:59:59.000Z', false],
  ])('is %s → %s', (_label, lastUsedAt, due) => {
    expect(touchDue(lastUsedAt, now)).toBe(due);
  });
});

describe('readArguments', () => {
  const options = {
    partner: { type: 'string' },
    'fine-increments': { type: 'string' },
  } as const;

  it('reads the options a command names', () => {
    // Act
    const read = readArguments(options, ['--partner', PARTNER, '--fine-increments', 'on']);

    // Assess
    expect(read).toEqual({ kind: 'run', values: { partner: PARTNER, 'fine-increments': 'on' } });
  });

  it.each([
    ['an unknown option', ['--partner', PARTNER, '--force']],
    ['a positional argument', ['--partner', PARTNER, 'extra']],
    ['a string option without its value', ['--partner']],
    ['a boolean with a value', ['--verbose=yes']],
  ])('refuses %s', (_label, args) => {
    // Act
    const read = readArguments({ ...options, verbose: { type: 'boolean' } }, args);

    // Assess
    expect(read.kind).toBe('refused');
    expect(read).toHaveProperty('message', expect.any(String));
  });

  it.each([['--help'], ['-h']])('answers %s even beside other arguments', (flag) => {
    expect(readArguments(options, [flag])).toEqual({ kind: 'help' });
    expect(readArguments(options, ['--bogus', flag])).toEqual({ kind: 'help' });
  });
});
