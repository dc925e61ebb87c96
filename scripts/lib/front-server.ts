import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The local stand-in for CloudFront: one origin serving the portal's built files and passing
 * `/v1/*` on to serverless-offline, so the portal and the API share an origin as deployed.
 * The headers are the ones serverless.yml's response headers policy sets (PORTAL_HEADERS).
 */
export const PORTAL_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface FrontServerOptions {
  port: number;
  /** The portal's build output (portal/dist). */
  root: string;
  /** serverless-offline's own port, on 127.0.0.1. */
  apiPort: number;
}

function proxy(
  incoming: IncomingMessage,
  res: import('node:http').ServerResponse,
  apiPort: number,
) {
  // rawHeaders keep each name as the caller wrote it (the API reads Authorization in any case).
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    const name = incoming.rawHeaders[i] as string;
    const value = incoming.rawHeaders[i + 1] as string;
    const existing = headers[name];
    headers[name] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const outgoing = request(
    { host: '127.0.0.1', port: apiPort, method: incoming.method, path: incoming.url, headers },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
      reply.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Bad Gateway',
          status: 502,
          code: 'BAD_GATEWAY',
          detail: 'The API did not answer.',
          errors: [],
        }),
      );
    } else res.destroy();
  });
  incoming.pipe(outgoing);
}

function serveFile(path: string, res: import('node:http').ServerResponse, method: string) {
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  // Vite names every asset by its content hash: a year's cache is safe; index.html is never cached.
  const hashed = path.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...PORTAL_HEADERS,
    'content-type': type,
    'content-length': statSync(path).size,
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}

export function startFrontServer(options: FrontServerOptions): Promise<{
  url: string;
  stop(): Promise<void>;
}> {
  const root = normalize(options.root);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      proxy(req, res, options.apiPort);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...PORTAL_HEADERS, allow: 'GET, HEAD' });
      res.end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = '/';
    }
    const file = normalize(join(root, pathname));
    if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      serveFile(file, res, req.method);
      return;
    }
    // The rule of the CloudFront Function: a path without an extension is a route of the app.
    const index = join(root, 'index.html');
    if (!extname(pathname) && existsSync(index)) {
      serveFile(index, res, req.method);
      return;
    }
    res.writeHead(404, { ...PORTAL_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${options.port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
