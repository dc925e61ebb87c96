import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_HEADERS, startFrontServer } from '../../scripts/lib/front-server.ts';
import { integrationPorts } from '../support/ports.ts';

/**
 * The local front server (`npm start`'s origin): built files, the app's routes, the deployed
 * headers, and `/v1/*` passed through unchanged. The upstream here is the test's own recorder of
 * what arrives, standing where serverless-offline stands.
 */
let root: string;
let upstream: Server;
let front: { url: string; stop(): Promise<void> };
let seen: { method?: string; url?: string; rawHeaders: string[]; body: string };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bp-front-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
  writeFileSync(join(tmpdir(), 'bp-front-secret.txt'), 'outside the root');
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen = { method: req.method, url: req.url, rawHeaders: req.rawHeaders, body };
      res.writeHead(409, { 'content-type': 'application/problem+json', 'x-request-id': 'r-1' });
      res.end('{"code":"CONFLICT"}');
    });
  });
  await new Promise<void>((resolve) =>
    upstream.listen(integrationPorts.frontUpstream, '127.0.0.1', resolve),
  );
  front = await startFrontServer({
    port: integrationPorts.front,
    root,
    apiPort: integrationPorts.frontUpstream,
  });
});

afterAll(async () => {
  await front?.stop();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'bp-front-secret.txt'), { force: true });
});

/** node:http, so the request's header names keep their case and the path is sent as written. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const outgoing = request(`${front.url}${path}`, { method, headers }, (incoming) => {
        let text = '';
        incoming.on('data', (chunk) => {
          text += chunk;
        });
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text }),
        );
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    },
  );
}

describe('the front server', () => {
  it('serves index.html for an app route, with the deployed headers and no caching', async () => {
    const page = await raw('GET', '/companies/01ABC');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="app">');
    expect(page.headers['cache-control']).toBe('no-cache');
    for (const [name, value] of Object.entries(PORTAL_HEADERS)) {
      expect(page.headers[name], name).toBe(value);
    }
  });

  it('caches hashed assets for a year, and answers a missing file with 404, not the app', async () => {
    const asset = await raw('GET', '/assets/index-abc123.js');
    const missing = await raw('GET', '/assets/index-gone.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('id="app"');
  });

  it('never serves a file outside its folder', async () => {
    for (const path of [
      '/../bp-front-secret.txt',
      '/%2e%2e/bp-front-secret.txt',
      '/..%2fbp-front-secret.txt',
    ]) {
      const reply = await raw('GET', path);
      expect(reply.text, path).not.toContain('outside the root');
    }
  });

  it('passes /v1/* on unchanged: method, path and query, header case, body, status and headers', async () => {
    const reply = await raw(
      'PATCH',
      '/v1/companies/01ABC?limit=5',
      { Authorization: 'Bearer pk_test', 'Content-Type': 'application/json' },
      '{"name":"HighTech"}',
    );
    expect(seen.method).toBe('PATCH');
    expect(seen.url).toBe('/v1/companies/01ABC?limit=5');
    expect(seen.rawHeaders).toContain('Authorization');
    expect(seen.rawHeaders).toContain('Bearer pk_test');
    expect(seen.body).toBe('{"name":"HighTech"}');
    expect(reply.status).toBe(409);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.headers['x-request-id']).toBe('r-1');
    expect(reply.text).toBe('{"code":"CONFLICT"}');
  });

  it('refuses other methods than GET and HEAD outside /v1', async () => {
    const reply = await raw('POST', '/companies');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
  });
});
