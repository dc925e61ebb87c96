import { SendEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '#lib/clients/ses.ts';
import type { RenderedEmail } from './templates.ts';

const fromAddress = () => process.env.MAIL_FROM || 'no-reply@backup.example.com';

/** A display name safe inside a quoted header phrase. */
const displayName = (name: string) =>
  name
    .replace(/["\\\r\n<>]/g, '')
    .trim()
    .slice(0, 64);

export async function sendEmail(
  to: string,
  senderName: string,
  email: RenderedEmail,
): Promise<string> {
  const name = displayName(senderName);
  const out = await ses.send(
    new SendEmailCommand({
      Source: name ? `"${name}" <${fromAddress()}>` : fromAddress(),
      Destination: { ToAddresses: [to] },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: email.text, Charset: 'UTF-8' },
          Html: { Data: email.html, Charset: 'UTF-8' },
        },
      },
    }),
  );
  return out.MessageId ?? '';
}
