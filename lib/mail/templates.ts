/**
 * The service's e-mails, text and HTML. Every interpolated value is escaped in the HTML part.
 * A password appears only in the body, never in a subject.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface Recipient {
  fullName: string;
  email: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] as string);

// By hand rather than with Intl.DateTimeFormat, whose locale data costs the mailer ~10 ms of
// every cold start; one English format is all the e-mails use.
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "1 December 2026", in UTC. A bad date shows as given: the e-mail is still worth sending. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** A paragraph is a list of parts; `{ strong }` parts are emphasised in HTML. */
type Part = string | { strong: string } | { code: string };
type Paragraph = Part[];

function toText(paragraphs: Paragraph[]): string {
  return `${paragraphs
    .map((p) =>
      p
        .map((part) =>
          typeof part === 'string' ? part : 'strong' in part ? part.strong : part.code,
        )
        .join(''),
    )
    .join('\n\n')}\n`;
}

function toHtml(title: string, paragraphs: Paragraph[]): string {
  const body = paragraphs
    .map((p) => {
      const inner = p
        .map((part) => {
          if (typeof part === 'string') return escapeHtml(part).replaceAll('\n', '<br>');
          if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
          return `<code style="font-size:16px;background:#f2f4f7;padding:2px 6px;border-radius:4px">${escapeHtml(part.code)}</code>`;
        })
        .join('');
      return `<p style="margin:0 0 16px">${inner}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;color:#1f2933;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
${body}
</div></body></html>
`;
}

function email(subject: string, paragraphs: Paragraph[]): RenderedEmail {
  return { subject, text: toText(paragraphs), html: toHtml(subject, paragraphs) };
}

const greeting = (recipient: Recipient): Paragraph => [
  recipient.fullName.trim() ? `Hello ${recipient.fullName.trim()},` : 'Hello,',
];
const signature = (senderName: string): Paragraph => [
  `Kind regards,\n${senderName || 'Your backup provider'}`,
];

export interface WelcomeInput {
  recipient: Recipient;
  username: string;
  senderName: string;
  temporaryPassword: string | null;
  ultraSafe: boolean;
  plan: string;
  trialEndsAt: string | null;
}

export function renderWelcome(input: WelcomeInput): RenderedEmail {
  const paragraphs: Paragraph[] = [
    greeting(input.recipient),
    ['Your backup account is ready. Your username is ', { strong: input.username }, '.'],
  ];
  if (input.temporaryPassword !== null) {
    paragraphs.push(
      ['Temporary password: ', { code: input.temporaryPassword }],
      [
        'You must choose a new password when you first log in. The temporary password expires in 7 days.',
      ],
    );
  } else {
    paragraphs.push([
      'Your administrator will give you your temporary password. You must choose a new password when you first log in.',
    ]);
  }
  if (input.plan === 'trial' && input.trialEndsAt) {
    paragraphs.push(['Your trial runs until ', { strong: formatDate(input.trialEndsAt) }, '.']);
  }
  if (input.ultraSafe) {
    paragraphs.push([
      { strong: 'This is an UltraSafe account.' },
      ' Your encryption key is held by you alone. If you lose your password, nobody — not your provider, not us — can reset or recover it, and your backups cannot be restored. Keep your password somewhere safe.',
    ]);
  }
  paragraphs.push(signature(input.senderName));
  return email(`Your backup account ${input.username} is ready`, paragraphs);
}

export interface PasswordResetInput {
  recipient: Recipient;
  username: string;
  senderName: string;
  temporaryPassword: string;
}

export function renderPasswordReset(input: PasswordResetInput): RenderedEmail {
  return email(`New temporary password for ${input.username}`, [
    greeting(input.recipient),
    [
      'A new temporary password was issued for your backup account ',
      { strong: input.username },
      '.',
    ],
    ['Temporary password: ', { code: input.temporaryPassword }],
    [
      'You must choose a new password when you next log in. The temporary password expires in 7 days.',
    ],
    signature(input.senderName),
  ]);
}

export interface TrialReminderInput {
  recipient: Recipient;
  username: string;
  senderName: string;
  trialEndsAt: string;
  daysLeft: number;
}

export function renderTrialReminder(input: TrialReminderInput): RenderedEmail {
  const when =
    input.daysLeft <= 0 ? 'today' : input.daysLeft === 1 ? 'tomorrow' : `in ${input.daysLeft} days`;
  return email(`Your backup trial ends ${when}`, [
    greeting(input.recipient),
    [
      'The trial of your backup account ',
      { strong: input.username },
      ` ends ${when}, on `,
      { strong: formatDate(input.trialEndsAt) },
      '.',
    ],
    ['To keep your backups running, ask your provider to convert it to a paid plan.'],
    signature(input.senderName),
  ]);
}

export interface TrialExpiredInput {
  recipient: Recipient;
  username: string;
  senderName: string;
  trialEndedAt: string;
}

export function renderTrialExpired(input: TrialExpiredInput): RenderedEmail {
  return email('Your backup trial has ended', [
    greeting(input.recipient),
    [
      'The trial of your backup account ',
      { strong: input.username },
      ' ended on ',
      { strong: formatDate(input.trialEndedAt) },
      '. New backups are paused; you can still log in and your data is kept.',
    ],
    ['Contact your provider to convert the account to a paid plan and resume your backups.'],
    signature(input.senderName),
  ]);
}

export interface StaffInvitationInput {
  recipient: Recipient;
  senderName: string;
  temporaryPassword: string;
}

export function renderStaffInvitation(input: StaffInvitationInput): RenderedEmail {
  const partner = input.senderName || 'your backup provider';
  return email(`You are invited to the ${partner} partner portal`, [
    greeting(input.recipient),
    [
      'You have been given access to the partner portal of ',
      { strong: partner },
      '. Sign in with your e-mail address ',
      { strong: input.recipient.email },
      '.',
    ],
    ['Temporary password: ', { code: input.temporaryPassword }],
    [
      'You must choose a new password when you first sign in, and then set up an authenticator app for two-step sign-in. The temporary password expires in 7 days.',
    ],
    signature(input.senderName),
  ]);
}

export interface WebhookDisabledInput {
  recipient: Recipient;
  senderName: string;
  url: string;
  failingSince: string;
}

/** To a partner's owner: an endpoint that delivered nothing for 5 days was disabled. */
export function renderWebhookDisabled(input: WebhookDisabledInput): RenderedEmail {
  return email('A webhook endpoint was disabled', [
    greeting(input.recipient),
    [
      'The webhook endpoint ',
      { code: input.url },
      ' has not accepted a delivery since ',
      { strong: formatDate(input.failingSince) },
      ', so it was disabled and gets no more events.',
    ],
    [
      'Events are still in the feed (GET /v1/events) for 30 days. Once the receiver works again, enable the endpoint (PATCH /v1/webhooks/{id} with enabled: true) and retry the deliveries you need from its delivery log.',
    ],
    signature(input.senderName),
  ]);
}

/** What a suspension, reactivation or alert e-mail is about: one account or the whole company. */
export interface Subject {
  username: string;
  /** Set when the e-mail is about the company: its name. */
  companyName?: string | undefined;
}

const subjectName = (subject: Subject): string =>
  subject.companyName ?? `your backup account ${subject.username}`;

/** The name at the start of a sentence. */
const leading = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

const REASON_TEXT: Record<string, string> = {
  non_payment: 'an unpaid invoice',
  manual: 'a decision of your provider',
  abuse: 'a breach of the terms of use',
};
const reasonText = (reason: string): string => REASON_TEXT[reason] ?? reason;

export interface SuspensionInput extends Subject {
  recipient: Recipient;
  senderName: string;
  reason: string;
}

export function renderSuspended(input: SuspensionInput): RenderedEmail {
  const name = subjectName(input);
  const accounts = input.companyName ? 'its backup accounts' : 'the account';
  return email(`${input.companyName ? name : 'Your backup account'} is suspended`, [
    greeting(input.recipient),
    [
      { strong: leading(name) },
      ` is suspended because of ${reasonText(input.reason)}. New backups of ${accounts} are paused; you can still log in, and your data and usernames are kept.`,
    ],
    ['Contact your provider to lift the suspension.'],
    signature(input.senderName),
  ]);
}

export interface ReactivationInput extends Subject {
  recipient: Recipient;
  senderName: string;
  reason: string;
  remainingReasons: string[];
}

export function renderReactivated(input: ReactivationInput): RenderedEmail {
  const name = subjectName(input);
  const lifted = `The suspension of ${name} for ${reasonText(input.reason)} is lifted.`;
  if (input.remainingReasons.length > 0) {
    return email(`${input.companyName ? name : 'Your backup account'} is still suspended`, [
      greeting(input.recipient),
      [
        lifted,
        ` It stays suspended because of ${input.remainingReasons.map(reasonText).join(' and ')}; backups stay paused until that is lifted too.`,
      ],
      signature(input.senderName),
    ]);
  }
  return email(`${input.companyName ? name : 'Your backup account'} is active again`, [
    greeting(input.recipient),
    [lifted, ' Backups resume with the next scheduled run.'],
    signature(input.senderName),
  ]);
}

export interface QuotaAlertInput extends Subject {
  recipient: Recipient;
  senderName: string;
  level: number;
  percentUsed: number;
  usedMb: number;
  quotaMb: number;
}

const sizeText = (mb: number): string =>
  mb >= 1024 ? `${Math.round((mb / 1024) * 10) / 10} GB` : `${mb} MB`;

export function renderQuotaAlert(input: QuotaAlertInput): RenderedEmail {
  const name = input.companyName
    ? `The storage pool of ${input.companyName}`
    : leading(subjectName(input));
  const full = input.level >= 100;
  return email(
    `${input.companyName ? input.companyName : 'Your backup account'} has used ${input.level} % of its storage`,
    [
      greeting(input.recipient),
      [
        { strong: name },
        ` has used ${input.percentUsed} % of its quota: ${sizeText(input.usedMb)} of ${sizeText(input.quotaMb)}.`,
      ],
      [
        full
          ? 'It is full: new backups may fail. Free some space or ask your provider for more storage.'
          : 'Free some space or ask your provider for more storage before it is full.',
      ],
      signature(input.senderName),
    ],
  );
}
