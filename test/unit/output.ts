import { vi } from 'vitest';
import type { HttpEvent } from '#lib/http/handler.ts';

/** The JSON documents Powertools writes to stdout and stderr while `run` runs. */
export async function printed(run: () => Promise<unknown> | unknown) {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

export { lambdaContext } from '../support/lambda-context.ts';

/** An anonymous GET as API Gateway passes it, with the given headers. */
export const httpEvent = (path: string, headers: Record<string, string> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'unit' },
      authorizer: { lambda: { kind: 'anonymous' } },
    },
    isBase64Encoded: false,
  }) as unknown as HttpEvent;
