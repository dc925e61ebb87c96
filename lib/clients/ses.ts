import { SESClient } from '@aws-sdk/client-ses';
import { localCredentials } from './local.ts';

/** SES_ENDPOINT points the mailer at the local SES emulator; empty means AWS. */
const endpoint = process.env.SES_ENDPOINT || undefined;

export const ses = new SESClient({
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(endpoint ? { endpoint, credentials: localCredentials() } : {}),
  maxAttempts: 3,
});
