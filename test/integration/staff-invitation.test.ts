import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { verifySecret } from '#lib/auth/secrets.ts';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import type { TenantScope } from '#lib/provisioning/scope.ts';
import { inviteStaff, listStaff, removeStaff, updateStaff } from '#lib/provisioning/staff.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import { scanForValue } from './scan.ts';
import { emailsTo, outboxIdsFor, passwordIn } from './support.ts';

const scopeOf = (partnerId: string, partnerName: string): TenantScope => ({
  partnerId,
  partnerName,
  fineIncrements: false,
  companyId: null,
  actor: 'staff:test',
  actingAs: null,
});

const address = (name: string) => `${name}.${ulid().toLowerCase()}@partner.example`;

async function invitationOf(staffId: string): Promise<string> {
  const [messageId] = await outboxIdsFor(staffId, 'staff-invitation');
  if (!messageId) throw new Error(`No invitation for ${staffId}`);
  return messageId;
}

async function invited(role: 'admin' | 'operator' = 'operator') {
  const name = `Invite IT ${ulid()}`;
  const { partnerId } = await createPartner(name, false);
  const scope = scopeOf(partnerId, name);
  const email = address('olga');
  const staff = await inviteStaff(scope, 'owner', { email, fullName: 'Olga Op', role });
  return { scope, staff, email, name };
}

describe('a staff invitation', () => {
  it('is e-mailed once with a temporary password whose hash alone is stored', async () => {
    const { scope, staff, email, name } = await invited();
    const messageId = await invitationOf(staff.id);

    expect(await deliverOutboxMessage(messageId)).toBe('sent');
    expect(await deliverOutboxMessage(messageId)).toBe('already-sent');

    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    const password = passwordIn(mail?.body.text ?? '') as string;
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(mail?.subject).toContain(name);
    expect(mail?.subject).not.toContain(password);
    expect(mail?.body.text).toContain(email);
    expect(mail?.body.html).toContain(password);
    const item = await getItem(keys.staff(scope.partnerId, staff.id));
    expect(item).toMatchObject({ mustChangePassword: true, passwordMessageId: messageId });
    expect(typeof item?.passwordIssuedAt).toBe('string');
    expect(await verifySecret(password, item?.passwordHash as string)).toBe(true);
    expect(await scanForValue(password)).toEqual([]);
  });

  it('is not sent to a member removed before it went out, and no password is issued', async () => {
    const { scope, staff, email } = await invited();
    await removeStaff(scope, 'owner', staff.id);

    const messageId = await invitationOf(staff.id);
    expect(await deliverOutboxMessage(messageId)).toBe('superseded');

    // Settled, so the sender does not try it again.
    expect(await deliverOutboxMessage(messageId)).toBe('already-sent');

    expect(await emailsTo(email)).toEqual([]);
    expect((await getItem(keys.staff(scope.partnerId, staff.id)))?.passwordHash).toBeNull();
  });

  it('never replaces a password the member has set since', async () => {
    const { scope, staff, email } = await invited();
    const messageId = await invitationOf(staff.id);
    const chosenAt = new Date().toISOString();
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.staff(scope.partnerId, staff.id),
        UpdateExpression: 'SET passwordHash = :hash, passwordIssuedAt = :at',
        ExpressionAttributeValues: { ':hash': 'scrypt$chosen', ':at': chosenAt },
      }),
    );

    expect(await deliverOutboxMessage(messageId)).toBe('superseded');

    expect(await emailsTo(email)).toEqual([]);
    expect(await getItem(keys.staff(scope.partnerId, staff.id))).toMatchObject({
      passwordHash: 'scrypt$chosen',
      passwordIssuedAt: chosenAt,
    });
  });
});

describe('a partner created with an owner', () => {
  it('has that owner, counted as its last one, and an invitation on its way', async () => {
    const name = `Owner IT ${ulid()}`;
    const email = address('Oskar');
    const created = await createPartner(name, false, new Date(), { email, fullName: 'Oskar O' });
    const scope = scopeOf(created.partnerId, name);

    const { items } = await listStaff(scope, 10, undefined);
    expect(items).toEqual([
      expect.objectContaining({
        id: created.ownerId,
        email: email.toLowerCase(),
        fullName: 'Oskar O',
        role: 'owner',
        status: 'active',
      }),
    ]);
    expect((await getItem(keys.partner(created.partnerId)))?.activeOwners).toBe(1);
    // Counted: the only owner can be neither demoted nor removed.
    await expect(
      updateStaff(scope, 'owner', created.ownerId as string, { role: 'admin' }),
    ).rejects.toMatchObject({ code: 'LAST_OWNER' });
    await expect(removeStaff(scope, 'owner', created.ownerId as string)).rejects.toMatchObject({
      code: 'LAST_OWNER',
    });

    expect(await deliverOutboxMessage(await invitationOf(created.ownerId as string))).toBe('sent');
    const [mail] = await emailsTo(email.toLowerCase());
    expect(passwordIn(mail?.body.text ?? '')).toMatch(/^[A-Za-z2-9]{16}$/);
  });

  it('is not created at all when the owner’s e-mail belongs to a staff member already', async () => {
    const { email } = await invited();
    const name = `Taken IT ${ulid()}`;

    await expect(
      createPartner(name, false, new Date(), { email, fullName: 'Twin' }),
    ).rejects.toMatchObject({ code: 'STAFF_EMAIL_TAKEN' });
    expect(await scanForValue(name)).toEqual([]);
  });

  it('without an owner counts none', async () => {
    const created = await createPartner(`Keyed IT ${ulid()}`, false);

    expect(created.ownerId).toBeNull();
    expect((await getItem(keys.partner(created.partnerId)))?.activeOwners).toBe(0);
  });
});
