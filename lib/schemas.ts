/**
 * One zod schema per request body (SPEC §3). Unknown fields are rejected (strict objects).
 * Shape and type rules live here; provisioning rules (ladder, pool, password policy,
 * UltraSafe) live in lib/rules and answer with their own codes.
 */
import { z } from 'zod';
import { normalizeUsername, usernameProblem } from '#lib/rules/credentials.ts';
import { PLAN_NAMES } from '#lib/rules/plans.ts';

const text = (max: number) => z.string().trim().min(1, 'Must not be empty.').max(max);

export const usernameField = z
  .string()
  .max(254)
  .transform(normalizeUsername)
  .superRefine((value, ctx) => {
    const problem = usernameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Length and policy are checked by the password rules, which know the username. */
const passwordField = z.string().max(1024);
const quotaField = z.number().int('Must be a whole number of MB.').positive('Must be positive.');
const planField = z.enum(PLAN_NAMES);
const trialDaysField = z.number().int().min(1).max(90);
const idField = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Not a valid id.');

export const contactSchema = z.strictObject({
  fullName: text(200),
  email: z.email('Must be an e-mail address.').max(254),
  phone: text(40).nullish(),
});

const licensesSchema = z.strictObject({
  egr: z.number().int().min(0).optional(),
  spV5: z.number().int().min(0).optional(),
});

const credentialFields = {
  password: passwordField.optional(),
  ultraSafe: z.boolean().optional(),
  secretQuestion: text(200).optional(),
  secretAnswer: text(200).optional(),
  hardQuotaMb: quotaField.nullish(),
  userQuotaMb: quotaField.nullish(),
  trialDays: trialDaysField.optional(),
};

export const createCompanySchema = z.strictObject({
  name: text(200),
  quotaMb: quotaField.nullish(),
  licenses: licensesSchema.optional(),
  endGuard: z.boolean().optional(),
  contact: contactSchema,
  admin: z.strictObject({ username: usernameField, plan: planField, ...credentialFields }),
});
export type CreateCompanyBody = z.infer<typeof createCompanySchema>;

export const updateCompanySchema = z
  .strictObject({
    name: text(200).optional(),
    quotaMb: quotaField.nullish(),
    licenses: licensesSchema.optional(),
    endGuard: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'Name at least one field to change.');
export type UpdateCompanyBody = z.infer<typeof updateCompanySchema>;

export const createAccountSchema = z
  .strictObject({
    username: usernameField,
    plan: planField.optional(),
    parentId: idField.optional(),
    contactId: idField.optional(),
    contact: contactSchema.optional(),
    ...credentialFields,
  })
  .superRefine((body, ctx) => {
    if ((body.plan === undefined) === (body.parentId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [body.plan === undefined ? 'plan' : 'parentId'],
        message: 'Give exactly one of plan (a parent account) or parentId (a sub-account).',
      });
    }
    if (body.contactId !== undefined && body.contact !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['contact'],
        message: 'Give contactId or contact, not both.',
      });
    }
    if (body.parentId !== undefined && body.trialDays !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['trialDays'],
        message: "A sub-account follows its parent's plan and trial.",
      });
    }
  });
export type CreateAccountBody = z.infer<typeof createAccountSchema>;

export const updateAccountSchema = z
  .strictObject({
    hardQuotaMb: quotaField.nullish(),
    plan: planField.optional(),
    trialDays: trialDaysField.optional(),
    contactId: idField.optional(),
    // Accepted only to answer 409 ULTRASAFE_IMMUTABLE rather than "unknown field".
    ultraSafe: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'Name at least one field to change.');
export type UpdateAccountBody = z.infer<typeof updateAccountSchema>;

export const usageReportsSchema = z.strictObject({
  reports: z
    .array(z.strictObject({ accountId: idField, usedMb: z.number().int().min(0) }))
    .min(1)
    .max(100),
});
export type UsageReportsBody = z.infer<typeof usageReportsSchema>;

export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(1024).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** Login and recovery name the username as typed; a malformed one simply cannot match. */
const loginUsername = z.string().min(1, 'Must not be empty.').max(254).transform(normalizeUsername);
/** Checked against the stored hash, or by the password rules; bounded so hashing stays cheap. */
const secretField = z.string().min(1, 'Must not be empty.').max(1024);

export const loginSchema = z.strictObject({ username: loginUsername, password: secretField });
export type LoginBody = z.infer<typeof loginSchema>;

export const changePasswordSchema = z.strictObject({
  currentPassword: secretField,
  newPassword: passwordField,
});
export type ChangePasswordBody = z.infer<typeof changePasswordSchema>;

export const recoverSchema = z.strictObject({
  username: loginUsername,
  secretAnswer: secretField,
  newPassword: passwordField,
});
export type RecoverBody = z.infer<typeof recoverSchema>;

export const updateMeSchema = z.strictObject({ userQuotaMb: quotaField.nullable() });
export type UpdateMeBody = z.infer<typeof updateMeSchema>;
