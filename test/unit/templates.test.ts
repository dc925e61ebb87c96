import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatDate,
  renderPasswordReset,
  renderStaffInvitation,
  renderTrialExpired,
  renderTrialReminder,
  renderWebhookDisabled,
  renderWelcome,
  type WelcomeInput,
} from '#lib/mail/templates.ts';

const recipient = { fullName: 'Ada Lovelace', email: 'ada@example.com' };
const PASSWORD = 'Xq7mPz3kRt9bNw2c';

const welcome = (overrides: Partial<WelcomeInput> = {}): WelcomeInput => ({
  recipient,
  username: 'ada.lovelace',
  senderName: 'Acme Backup',
  temporaryPassword: PASSWORD,
  ultraSafe: false,
  plan: 'basic',
  trialEndsAt: null,
  ...overrides,
});

const ULTRASAFE_WARNING = /cannot be restored/i;

describe('escapeHtml', () => {
  it('escapes the characters that matter in HTML text and attributes', () => {
    // Prepare
    const raw = `<a href="x" title='y'>&</a>`;

    // Act
    const escaped = escapeHtml(raw);

    // Assess
    expect(escaped).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('formatDate', () => {
  it('renders an ISO timestamp as a long UTC date, and an invalid one as given', () => {
    // Prepare
    const lateEvening = '2026-11-30T23:30:00.000-05:00';

    // Act
    const formatted = formatDate(lateEvening);
    const invalid = formatDate('not a date');

    // Assess
    expect(formatted).toBe('1 December 2026');
    expect(invalid).toBe('not a date');
  });

  it('property: matches the long en-GB date in UTC for any moment', () => {
    // Prepare
    const reference = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'long' });
    const moments = fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });

    // Act / Assess
    fc.assert(
      fc.property(moments, (moment) => {
        expect(formatDate(moment.toISOString())).toBe(reference.format(moment));
      }),
    );
  });
});

describe('renderWelcome', () => {
  it('gives a generated password in the body, never in the subject', () => {
    // Prepare
    const input = welcome();

    // Act
    const email = renderWelcome(input);

    // Assess
    expect(email.subject).toBe('Your backup account ada.lovelace is ready');
    expect(email.subject).not.toContain(PASSWORD);
    expect(email.text).toContain(PASSWORD);
    expect(email.html).toContain(PASSWORD);
    expect(email.text).toContain('ada.lovelace');
    expect(email.text).toMatch(/must choose a new password/i);
    expect(email.text).toMatch(/expires in 7 days/i);
  });

  it('without a generated password, points to the administrator and shows no placeholder', () => {
    // Prepare
    const input = welcome({ temporaryPassword: null });

    // Act
    const email = renderWelcome(input);

    // Assess
    expect(email.text).toMatch(/administrator will give you/i);
    expect(email.html).toMatch(/administrator will give you/i);
    expect(email.text).not.toMatch(/password:/i);
    expect(email.html).not.toMatch(/password:/i);
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/null|undefined|\{\{|\$\{/);
    }
  });

  it('warns about unrecoverable backups only for UltraSafe accounts', () => {
    // Prepare
    const ultraSafe = welcome({ ultraSafe: true });
    const ordinary = welcome({ ultraSafe: false });

    // Act
    const safeEmail = renderWelcome(ultraSafe);
    const ordinaryEmail = renderWelcome(ordinary);

    // Assess
    expect(safeEmail.text).toMatch(ULTRASAFE_WARNING);
    expect(safeEmail.text).toMatch(/held by you alone/i);
    expect(safeEmail.text).toMatch(/nobody .* can reset or recover it/i);
    expect(safeEmail.html).toMatch(ULTRASAFE_WARNING);
    expect(ordinaryEmail.text).not.toMatch(ULTRASAFE_WARNING);
    expect(ordinaryEmail.text).not.toMatch(/UltraSafe/);
    expect(ordinaryEmail.html).not.toMatch(/UltraSafe/);
  });

  it('mentions the trial end date on a trial plan only', () => {
    // Prepare
    const trial = welcome({ plan: 'trial', trialEndsAt: '2026-12-01T10:00:00.000Z' });
    const paid = welcome({ plan: 'basic', trialEndsAt: null });

    // Act
    const trialEmail = renderWelcome(trial);
    const paidEmail = renderWelcome(paid);

    // Assess
    expect(trialEmail.text).toContain('Your trial runs until 1 December 2026');
    expect(trialEmail.html).toContain('1 December 2026');
    expect(paidEmail.text).not.toMatch(/trial/i);
  });

  it('escapes interpolated values in the HTML part', () => {
    // Prepare
    const input = welcome({
      recipient: { fullName: '<script>alert(1)</script>', email: 'x@example.com' },
      senderName: 'Tom & "Jerry"',
      username: 'o<b>',
    });

    // Act
    const email = renderWelcome(input);

    // Assess
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Tom &amp; &quot;Jerry&quot;');
    expect(email.text).toContain('Hello <script>alert(1)</script>,');
  });

  it('signs with the sender name in both parts', () => {
    // Prepare
    const input = welcome({ senderName: 'Northwind IT' });

    // Act
    const email = renderWelcome(input);

    // Assess
    expect(email.text).toContain('Northwind IT');
    expect(email.html).toContain('Northwind IT');
    expect(email.text).toContain('Hello Ada Lovelace,');
  });

  it('is a self-contained HTML document with no external assets', () => {
    // Prepare
    const input = welcome({ ultraSafe: true });

    // Act
    const { html } = renderWelcome(input);

    // Assess
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('</html>');
    expect(html).not.toMatch(/<(img|link|script)\b|https?:\/\//i);
  });
});

describe('renderPasswordReset', () => {
  it('gives the new temporary password in the body only', () => {
    // Prepare
    const input = { recipient, username: 'ada.lovelace', senderName: 'Acme Backup' };

    // Act
    const email = renderPasswordReset({ ...input, temporaryPassword: PASSWORD });

    // Assess
    expect(email.subject).not.toContain(PASSWORD);
    expect(email.subject).toContain('ada.lovelace');
    expect(email.text).toContain(PASSWORD);
    expect(email.html).toContain(PASSWORD);
    expect(email.text).toMatch(/expires in 7 days/i);
    expect(email.text).toContain('Acme Backup');
  });
});

describe('renderTrialReminder', () => {
  const base = {
    recipient,
    username: 'ada.lovelace',
    senderName: 'Acme Backup',
    trialEndsAt: '2026-12-01T00:00:00.000Z',
  };

  it('says the trial ends in 7 days, with the date', () => {
    // Prepare
    const input = { ...base, daysLeft: 7 };

    // Act
    const email = renderTrialReminder(input);

    // Assess
    expect(email.subject).toBe('Your backup trial ends in 7 days');
    expect(email.text).toContain('ends in 7 days, on 1 December 2026');
    expect(email.html).toContain('1 December 2026');
    expect(email.text).toMatch(/paid plan/);
    expect(email.text).toContain('Acme Backup');
  });

  it('says the trial ends tomorrow when one day is left', () => {
    // Prepare
    const input = { ...base, daysLeft: 1 };

    // Act
    const email = renderTrialReminder(input);

    // Assess
    expect(email.subject).toBe('Your backup trial ends tomorrow');
    expect(email.text).toContain('ends tomorrow');
    expect(email.text).not.toMatch(/in 1 days?/);
  });
});

describe('renderTrialExpired', () => {
  it('says backups are paused, login still works, and how to convert', () => {
    // Prepare
    const input = {
      recipient,
      username: 'ada.lovelace',
      senderName: 'Acme Backup',
      trialEndedAt: '2026-12-01T00:00:00.000Z',
    };

    // Act
    const email = renderTrialExpired(input);

    // Assess
    expect(email.subject).toBe('Your backup trial has ended');
    expect(email.text).toContain('ended on 1 December 2026');
    expect(email.text).toMatch(/backups are paused/i);
    expect(email.text).toMatch(/can still log in/i);
    expect(email.text).toMatch(/contact your provider to convert .* paid plan/i);
    expect(email.html).toMatch(/backups are paused/i);
    expect(email.text).toContain('Acme Backup');
  });
});

describe('renderStaffInvitation', () => {
  it('names the partner and the sign-in e-mail, with the password in the body only', () => {
    const email = renderStaffInvitation({
      recipient,
      senderName: 'Acme <IT>',
      temporaryPassword: PASSWORD,
    });

    expect(email.subject).toBe('You are invited to the Acme <IT> partner portal');
    expect(email.text).toContain(`Temporary password: ${PASSWORD}`);
    expect(email.text).toContain('ada@example.com');
    expect(email.text).toMatch(/authenticator app/);
    expect(email.html).toContain('Acme &lt;IT&gt;');
    expect(email.html).not.toContain('Acme <IT>');
  });
});

describe('renderWebhookDisabled', () => {
  it('names the endpoint and since when it failed, and how to enable it again', () => {
    const email = renderWebhookDisabled({
      recipient,
      senderName: 'Acme <IT>',
      url: 'https://hooks.example.com/in?a=1&b=<2>',
      failingSince: '2026-11-26T08:00:00.000Z',
    });

    expect(email.subject).toBe('A webhook endpoint was disabled');
    expect(email.text).toContain('https://hooks.example.com/in?a=1&b=<2>');
    expect(email.text).toContain('since 26 November 2026');
    expect(email.text).toContain('enabled: true');
    // The URL is the partner's own text: escaped in the HTML part.
    expect(email.html).toContain('https://hooks.example.com/in?a=1&amp;b=&lt;2&gt;');
    expect(email.html).not.toContain('<2>');
  });
});
