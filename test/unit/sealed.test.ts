import { describe, expect, it } from 'vitest';
import { seal, unseal } from '#lib/auth/sealed.ts';

describe('sealed secrets', () => {
  it('open for their purpose and owner only, and never hold the value in clear', async () => {
    const value = 'whsec_c2VjcmV0LXZhbHVlLW9mLTI0LWJ5dGVz';
    const sealed = await seal('webhook-secret', 'W1', value);

    expect(sealed).not.toContain(value.slice(6));
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await unseal('webhook-secret', 'W1', sealed)).toBe(value);
    expect(await unseal('webhook-secret', 'W2', sealed)).toBeNull();
    expect(await unseal('totp-secret', 'W1', sealed)).toBeNull();
    expect(await seal('webhook-secret', 'W1', value)).not.toBe(sealed);
  });

  it('refuse a tampered or malformed value', async () => {
    const sealed = await seal('webhook-secret', 'W1', 'a value');
    const [version, iv, text, tag] = sealed.split('.') as [string, string, string, string];
    // The first character: all six of its bits are ciphertext (the last one's may be padding).
    const flipped = `${text.startsWith('A') ? 'B' : 'A'}${text.slice(1)}`;
    expect(await unseal('webhook-secret', 'W1', [version, iv, flipped, tag].join('.'))).toBeNull();
    expect(await unseal('webhook-secret', 'W1', 'v1.x')).toBeNull();
    expect(await unseal('webhook-secret', 'W1', `v2.${iv}.${text}.${tag}`)).toBeNull();
  });
});
