import { commandLine } from './lib/cli-args.ts';
import { fail } from './lib/cli-env.ts';
import { webhookReceiver } from './lib/webhook-receiver.ts';

const usage = `Usage: npm run webhook:receive -- --secret whsec_… [--port 4000] [--fail <n>] [--gone]

Listens on http://127.0.0.1:<port>/ for webhook deliveries, verifies each one's signature with
the standardwebhooks library and prints it. Register it on the local stack with
  POST /v1/webhooks { "url": "http://127.0.0.1:<port>/hooks" }
and start this with the secret that reply shows.
  --secret <whsec_…>  the endpoint's signing secret (required)
  --port <n>          the port to listen on (default 4000)
  --fail <n>          answer 500 to the first n deliveries, to watch the retries
  --gone              answer 410 Gone to every delivery: the endpoint is disabled at once`;

const values = commandLine(usage, {
  secret: { type: 'string' },
  port: { type: 'string' },
  fail: { type: 'string' },
  gone: { type: 'boolean' },
});
if (!values.secret?.startsWith('whsec_')) fail(`--secret whsec_… is required.\n${usage}`);
const port = Number(values.port ?? 4000);
if (!Number.isInteger(port) || port < 1 || port > 65535)
  fail(`--port must be a port number.\n${usage}`);
const failures = Number(values.fail ?? 0);
if (!Number.isInteger(failures) || failures < 0) fail(`--fail must be a count.\n${usage}`);

let server: ReturnType<typeof webhookReceiver>;
try {
  server = webhookReceiver({
    secret: values.secret as string,
    fail: failures,
    gone: values.gone === true,
    print: (line) => console.log(line),
  });
} catch (error) {
  fail(`The secret is not a Standard Webhooks secret: ${(error as Error).message}`);
}
server.on('error', (error) => fail(`Cannot listen on 127.0.0.1:${port}: ${error.message}`));
server.listen(port, '127.0.0.1', () => {
  console.log(`Receiving webhooks on http://127.0.0.1:${port}/ (Ctrl-C stops)`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
