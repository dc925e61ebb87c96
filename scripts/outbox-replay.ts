import { commandLine } from './lib/cli-args.ts';
import { fail, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run outbox:replay [-- --queue-url <url>]

Re-delivers the e-mails the mailer gave up on (README "Observability"). Each is sent only if it
is still unsent, so running it twice sends nothing twice.
  Local stack (the default): reads the table's stream for outbox messages and delivers the
    unsent ones through the SES emulator.
  Deployed stage (TABLE_NAME set, AWS credentials): reads the mailer's failure queue
    (--queue-url, or OUTBOX_FAILURES_QUEUE_URL; the stack's output OutboxFailuresQueueUrl),
    delivers each failed batch's unsent messages, and deletes the queue message once they are.`;

const values = commandLine(usage, { 'queue-url': { type: 'string' } });

useTableFromEnvironment();
const local = Boolean(process.env.DYNAMODB_ENDPOINT);
if (local) process.env.SES_ENDPOINT ??= `http://127.0.0.1:${process.env.SES_PORT ?? 8005}`;
const queueUrl = values['queue-url'] ?? process.env.OUTBOX_FAILURES_QUEUE_URL;
if (!local && !queueUrl) {
  fail(`A deployed stage needs the failure queue's URL (--queue-url).\n${usage}`);
}

const { DynamoDBStreamsClient } = await import('@aws-sdk/client-dynamodb-streams');
const { dynamoDb, tableName } = await import('#lib/clients/dynamodb.ts');
const { localCredentials } = await import('#lib/clients/local.ts');
const { deliverOutboxMessage } = await import('#lib/mail/deliver.ts');
const { replayQueue, replayStream } = await import('./lib/outbox-replay.ts');

const region = process.env.AWS_REGION ?? 'us-east-1';
const streams = new DynamoDBStreamsClient({
  region,
  ...(local ? { endpoint: process.env.DYNAMODB_ENDPOINT, credentials: localCredentials() } : {}),
});
try {
  let report: Awaited<ReturnType<typeof replayStream>>;
  if (local) {
    report = await replayStream(dynamoDb, streams, tableName(), deliverOutboxMessage);
  } else {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    report = await replayQueue(
      new SQSClient({ region }),
      streams,
      queueUrl as string,
      deliverOutboxMessage,
    );
  }
  console.log(JSON.stringify(report, null, 2));
  if (report.failed.length > 0 || report.expired > 0) process.exit(1);
} catch (error) {
  fail(
    `The replay failed${local ? ' (is the local stack running? `npm start`)' : ''}: ${(error as Error).message}`,
  );
}
