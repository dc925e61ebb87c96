/**
 * A webhook receiver for trying deliveries locally (`npm run webhook:receive`): it verifies
 * each delivery with the standardwebhooks library, as a partner's receiver would, and prints
 * it. It can answer failures on purpose, to watch the retries and the 410 rule.
 */
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceiverOptions {
  secret: string;
  /** Answer 500 to this many deliveries first (verified or not), then 204. */
  fail: number;
  /** Answer 410 Gone to every delivery: the service disables the endpoint. */
  gone: boolean;
  print: (line: string) => void;
}

export interface Delivery {
  verified: boolean;
  id: string | undefined;
  status: number;
  error?: string;
  payload?: unknown;
}

/** The server; `onDelivery` sees each delivery after it is answered. */
export function webhookReceiver(
  options: ReceiverOptions,
  onDelivery: (delivery: Delivery) => void = () => {},
): Server {
  const verifier = new Webhook(options.secret);
  let failuresLeft = options.fail;
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
      );
      const id = headers['webhook-id'];
      let delivery: Delivery;
      try {
        const payload = verifier.verify(body, headers);
        const status = options.gone ? 410 : failuresLeft-- > 0 ? 500 : 204;
        delivery = { verified: true, id, status, payload };
      } catch (error) {
        // An unverified request is no delivery of ours: refused, never treated as an event.
        delivery = { verified: false, id, status: 401, error: (error as Error).message };
      }
      res.statusCode = delivery.status;
      res.end();
      const at = new Date().toISOString();
      if (delivery.verified) {
        const event = delivery.payload as { type?: string };
        options.print(
          `${at} ✓ verified ${id} ${event.type ?? ''} → answered ${delivery.status}\n${JSON.stringify(delivery.payload, null, 2)}`,
        );
      } else {
        options.print(`${at} ✗ NOT verified (${delivery.error}) ${id ?? ''} → answered 401`);
      }
      onDelivery(delivery);
    });
  });
}
