import { describe, expect, it } from 'vitest';
import { renderQuotaAlert, renderReactivated, renderSuspended } from '#lib/mail/templates.ts';

const recipient = { fullName: 'Ada Lovelace', email: 'ada@example.com' };
const common = { recipient, senderName: 'Acme Backup', username: 'ada.laptop' };

describe('suspension e-mails', () => {
  it('name the account and why, and say the user can still log in', () => {
    const mail = renderSuspended({ ...common, reason: 'non_payment' });

    expect(mail.subject).toBe('Your backup account is suspended');
    expect(mail.text).toContain(
      'Your backup account ada.laptop is suspended because of an unpaid invoice',
    );
    expect(mail.text).toContain('you can still log in');
    expect(mail.html).toContain('<strong>Your backup account ada.laptop</strong>');
  });

  it('about a company name the company, escaped in HTML', () => {
    const mail = renderSuspended({ ...common, companyName: 'Hi <Tech>', reason: 'abuse' });

    expect(mail.subject).toBe('Hi <Tech> is suspended');
    expect(mail.text).toContain('its backup accounts');
    expect(mail.html).toContain('Hi &lt;Tech&gt;');
    expect(mail.html).not.toContain('<Tech>');
  });

  it('on reactivation, say whether reasons are left or the object is active again', () => {
    const left = renderReactivated({ ...common, reason: 'manual', remainingReasons: ['abuse'] });
    const none = renderReactivated({ ...common, reason: 'manual', remainingReasons: [] });

    expect(left.subject).toBe('Your backup account is still suspended');
    expect(left.text).toContain('breach of the terms of use');
    expect(none.subject).toBe('Your backup account is active again');
    expect(none.text).toContain('is lifted');
  });
});

describe('quota alert e-mails', () => {
  it('give the level, the percentage and the sizes', () => {
    const mail = renderQuotaAlert({
      ...common,
      level: 80,
      percentUsed: 81.3,
      usedMb: 4163,
      quotaMb: 5120,
    });

    expect(mail.subject).toBe('Your backup account has used 80 % of its storage');
    expect(mail.text).toContain('81.3 % of its quota: 4.1 GB of 5 GB');
    expect(mail.text).toContain('before it is full');
  });

  it('at 100 % say it is full; about a company, name its pool', () => {
    const mail = renderQuotaAlert({
      ...common,
      companyName: 'HighTech',
      level: 100,
      percentUsed: 100,
      usedMb: 512,
      quotaMb: 512,
    });

    expect(mail.subject).toBe('HighTech has used 100 % of its storage');
    expect(mail.text).toContain('The storage pool of HighTech has used 100 %');
    expect(mail.text).toContain('512 MB of 512 MB');
    expect(mail.text).toContain('It is full');
  });
});
