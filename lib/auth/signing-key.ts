import { createHmac } from 'node:crypto';

/**
 * The key that signs session tokens (and keys the digests below). Locally it comes from SESSION_SECRET (the local stack makes
 * one); deployed, from the SecureString SSM parameter SESSION_SECRET_PARAMETER names, read on
 * first use and cached for five minutes by Powertools, so a rotated secret is picked up without
 * a deployment.
 */
const MIN_SECRET_BYTES = 32;
const CACHE_SECONDS = 300;

const encoder = new TextEncoder();

function toKey(secret: string, source: string): Uint8Array {
  const key = encoder.encode(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`${source} must hold at least ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

export async function signingKey(): Promise<Uint8Array> {
  const local = process.env.SESSION_SECRET;
  if (local) return toKey(local, 'SESSION_SECRET');
  const parameter = process.env.SESSION_SECRET_PARAMETER;
  if (!parameter) throw new Error('Neither SESSION_SECRET nor SESSION_SECRET_PARAMETER is set');
  // Loaded only where it is used: a function that never signs or verifies never pays for SSM.
  const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
  const secret = await getParameter(parameter, { decrypt: true, maxAge: CACHE_SECONDS });
  if (!secret) throw new Error(`SSM parameter ${parameter} is empty`);
  return toKey(secret, `SSM parameter ${parameter}`);
}

/**
 * A digest of `value` that nobody without the secret can recompute or reverse: what the table
 * keeps instead of a value that may be a secret typed in the wrong field (a password entered as
 * a username). `purpose` keeps digests made for different uses apart.
 */
export async function keyedDigest(purpose: string, value: string): Promise<string> {
  return createHmac('sha256', await signingKey())
    .update(`${purpose}\n${value}`)
    .digest('base64url');
}
