/**
 * One zod schema per request body (SPEC §3). Unknown fields are rejected (strict objects).
 * Shape and type rules live here; provisioning rules (ladder, pool, password policy,
 * UltraSafe) live in lib/rules and answer with their own codes.
 *
 * The OpenAPI document is generated from these schemas (lib/api/json-schema.ts), so every rule
 * on a body's shape is one JSON Schema can show: a check it knows (length, pattern), or, where
 * the rule is code (a refinement), the same rule as JSON Schema in the schema's metadata.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { EVENT_TYPES } from '#lib/rules/events.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '#lib/rules/passwords.ts';
import { PLAN_NAMES } from '#lib/rules/plans.ts';
import { SUSPENSION_REASONS } from '#lib/rules/suspension.ts';
import { TRIAL_MAX_DAYS, TRIAL_MIN_DAYS } from '#lib/rules/trials.ts';
import {
  normalizeUsername,
  USERNAME_CHARACTERS_MESSAGE,
  USERNAME_INPUT_PATTERN,
  usernameProblem,
} from '#lib/rules/usernames.ts';

let localized = false;

/**
 * Every function imports this module but validates one body at most, and constructing a zod
 * schema is costly at a cold start: each schema is built in a call marked pure, so a bundle
 * leaves out (and never constructs) the schemas its function does not use. The locale is set
 * by the first schema built, so a function with no schema carries no zod at all.
 */
const schema = <T>(build: () => T): T => {
  // zod/mini ships no default locale: without this every message would be "Invalid input".
  if (!localized) z.config(en());
  localized = true;
  return build();
};

/** JSON Schema for a rule the schema checks in code; merged into what `z.toJSONSchema` emits. */
const documented = <S extends z.ZodMiniType>(s: S, jsonSchema: Record<string, unknown>): S => {
  z.globalRegistry.add(s, jsonSchema);
  return s;
};

/** Trimmed, then not empty: the pattern says "holds something other than white space". */
const text = (max: number) =>
  z.string().check(z.trim(), z.regex(/\S/, 'Must not be empty.'), z.maxLength(max));

/** What usernameProblem says of the username as typed (it trims and lower-cases it first). */
const usernameMessage = (issue: { input?: unknown }) =>
  usernameProblem(String(issue.input)) ?? USERNAME_CHARACTERS_MESSAGE;

/**
 * SPEC §2.4: 3–64 characters of a-z 0-9 . _ @ + -, starting with a letter or a digit, compared
 * lower-case. Checked on the username as typed, so the JSON Schema shows the rule; a failure
 * gives the one message usernameProblem gives.
 */
export const usernameField = /* @__PURE__ */ schema(() =>
  z.pipe(
    z
      .string()
      .check(
        z.maxLength(254, { abort: true }),
        z.minLength(3, { error: usernameMessage, abort: true }),
        z.regex(USERNAME_INPUT_PATTERN, { error: usernameMessage }),
      ),
    z.transform(normalizeUsername),
  ),
);

/**
 * Length and policy are checked by the password rules, which know the username (422
 * WEAK_PASSWORD); the document states their length, which counts characters as JSON Schema
 * does (code points).
 */
const passwordField = /* @__PURE__ */ schema(() =>
  documented(z.string().check(z.maxLength(1024)), {
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
  }),
);
const quotaField = /* @__PURE__ */ schema(() =>
  z.number().check(z.int('Must be a whole number of MB.'), z.positive('Must be positive.')),
);
const planField = /* @__PURE__ */ schema(() => z.enum(PLAN_NAMES));
const trialDaysField = /* @__PURE__ */ schema(() =>
  z.number().check(z.int(), z.gte(TRIAL_MIN_DAYS), z.lte(TRIAL_MAX_DAYS)),
);
const idField = /* @__PURE__ */ schema(() =>
  z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Not a valid id.')),
);

export const contactSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    fullName: text(200),
    email: z.email('Must be an e-mail address.').check(z.maxLength(254)),
    phone: z.nullish(text(40)),
  }),
);

const staffRoleField = /* @__PURE__ */ schema(() =>
  z.enum(['owner', 'admin', 'operator', 'billing'], 'Must be owner, admin, operator or billing.'),
);

export const createStaffSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    email: z.email('Must be an e-mail address.').check(z.maxLength(254)),
    fullName: text(200),
    role: staffRoleField,
  }),
);

export const updateStaffSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({ role: z.optional(staffRoleField), fullName: z.optional(text(200)) }),
);

const licensesSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    egr: z.optional(z.number().check(z.int(), z.gte(0))),
    spV5: z.optional(z.number().check(z.int(), z.gte(0))),
  }),
);

/**
 * What the account rules (lib/rules, new-account.ts) refuse with 422 whatever is stored, as
 * JSON Schema: a secret question needs its answer and the reverse, an UltraSafe account has
 * neither, and only a trial has a trial length.
 */
const ACCOUNT_RULES = [
  { dependentRequired: { secretQuestion: ['secretAnswer'], secretAnswer: ['secretQuestion'] } },
  {
    not: {
      properties: { ultraSafe: { const: true } },
      required: ['ultraSafe'],
      anyOf: [
        { properties: { secretQuestion: {} }, required: ['secretQuestion'] },
        { properties: { secretAnswer: {} }, required: ['secretAnswer'] },
      ],
    },
  },
  {
    not: {
      properties: { plan: { not: { const: 'trial' } }, trialDays: {} },
      required: ['plan', 'trialDays'],
    },
  },
];

const credentialFields = /* @__PURE__ */ schema(() => ({
  password: z.optional(passwordField),
  ultraSafe: z.optional(z.boolean()),
  secretQuestion: z.optional(text(200)),
  secretAnswer: z.optional(text(200)),
  hardQuotaMb: z.nullish(quotaField),
  userQuotaMb: z.nullish(quotaField),
  trialDays: z.optional(trialDaysField),
}));

export const createCompanySchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    name: text(200),
    quotaMb: z.nullish(quotaField),
    licenses: z.optional(licensesSchema),
    endGuard: z.optional(z.boolean()),
    contact: contactSchema,
    admin: documented(
      z.strictObject({ username: usernameField, plan: planField, ...credentialFields }),
      { allOf: ACCOUNT_RULES },
    ),
  }),
);
export type CreateCompanyBody = z.infer<typeof createCompanySchema>;

const NAME_A_FIELD = 'Name at least one field to change.';

export const updateCompanySchema = /* @__PURE__ */ schema(() =>
  documented(
    z
      .strictObject({
        name: z.optional(text(200)),
        quotaMb: z.nullish(quotaField),
        licenses: z.optional(licensesSchema),
        endGuard: z.optional(z.boolean()),
      })
      .check(z.refine((body) => Object.keys(body).length > 0, NAME_A_FIELD)),
    { minProperties: 1 },
  ),
);
export type UpdateCompanyBody = z.infer<typeof updateCompanySchema>;

export const createAccountSchema = /* @__PURE__ */ schema(() =>
  documented(
    z
      .strictObject({
        username: usernameField,
        plan: z.optional(planField),
        parentId: z.optional(idField),
        contactId: z.optional(idField),
        contact: z.optional(contactSchema),
        ...credentialFields,
      })
      .check(
        z.superRefine((body, ctx) => {
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
        }),
      ),
    {
      // The refinement above, as JSON Schema.
      oneOf: [
        { properties: { plan: {} }, required: ['plan'] },
        { properties: { parentId: {} }, required: ['parentId'] },
      ],
      allOf: [
        { not: { properties: { contactId: {}, contact: {} }, required: ['contactId', 'contact'] } },
        {
          not: { properties: { parentId: {}, trialDays: {} }, required: ['parentId', 'trialDays'] },
        },
        ...ACCOUNT_RULES,
      ],
    },
  ),
);
export type CreateAccountBody = z.infer<typeof createAccountSchema>;

export const updateAccountSchema = /* @__PURE__ */ schema(() =>
  documented(
    z
      .strictObject({
        hardQuotaMb: z.nullish(quotaField),
        plan: z.optional(planField),
        trialDays: z.optional(trialDaysField),
        contactId: z.optional(idField),
        // Accepted only to answer 409 ULTRASAFE_IMMUTABLE rather than "unknown field".
        ultraSafe: z.optional(z.boolean()),
      })
      .check(z.refine((body) => Object.keys(body).length > 0, NAME_A_FIELD)),
    { minProperties: 1 },
  ),
);
export type UpdateAccountBody = z.infer<typeof updateAccountSchema>;

export const usageReportsSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    reports: z
      .array(z.strictObject({ accountId: idField, usedMb: z.number().check(z.int(), z.gte(0)) }))
      .check(z.minLength(1), z.maxLength(100)),
  }),
);
export type UsageReportsBody = z.infer<typeof usageReportsSchema>;

export const createApiKeySchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    name: text(100),
    scope: z.enum(['full', 'read']),
  }),
);

/** A webhook's event types: at least one, each once; leaving the field out means every type. */
const webhookEventTypes = /* @__PURE__ */ schema(() =>
  documented(
    z.array(z.enum(EVENT_TYPES, 'Not an event type.')).check(
      z.minLength(1, 'Name at least one type, or leave the field out for every type.'),
      z.maxLength(EVENT_TYPES.length),
      z.refine((types) => new Set(types).size === types.length, 'Each type at most once.'),
    ),
    { uniqueItems: true },
  ),
);

/** The URL's shape only; lib/rules/webhooks.ts checks its scheme and address. */
const webhookUrl = /* @__PURE__ */ schema(() =>
  z.string().check(z.minLength(1, 'Must not be empty.'), z.maxLength(2048)),
);

export const createWebhookSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    url: webhookUrl,
    eventTypes: z.optional(webhookEventTypes),
    description: z.optional(text(200)),
  }),
);

/** `eventTypes: null` subscribes to every type again; `description: null` clears it. */
export const updateWebhookSchema = /* @__PURE__ */ schema(() =>
  documented(
    z
      .strictObject({
        url: z.optional(webhookUrl),
        eventTypes: z.optional(z.nullable(webhookEventTypes)),
        description: z.optional(z.nullable(text(200))),
        enabled: z.optional(z.boolean()),
      })
      .check(z.refine((body) => Object.keys(body).length > 0, NAME_A_FIELD)),
    { minProperties: 1 },
  ),
);

export const listQuerySchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  }),
);
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The feed: after an event id (its cursor), optionally only some types, comma-separated. */
export const eventQuerySchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
    after: z.optional(idField),
    type: z.optional(
      z.pipe(
        z.string().check(z.minLength(1), z.maxLength(1024)),
        z.pipe(
          z.transform((value: string) => value.split(',').map((type) => type.trim())),
          z.array(z.enum(EVENT_TYPES, 'Not an event type.')),
        ),
      ),
    ),
  }),
);
export type EventQuery = z.infer<typeof eventQuerySchema>;

/** Login and recovery name the username as typed; a malformed one simply cannot match. */
const loginUsername = /* @__PURE__ */ schema(() =>
  z.pipe(
    z.string().check(z.minLength(1, 'Must not be empty.'), z.maxLength(254)),
    z.transform(normalizeUsername),
  ),
);
/** Checked against the stored hash, or by the password rules; bounded so hashing stays cheap. */
const secretField = /* @__PURE__ */ schema(() =>
  z.string().check(z.minLength(1, 'Must not be empty.'), z.maxLength(1024)),
);

export const loginSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({ username: loginUsername, password: secretField }),
);
export type LoginBody = z.infer<typeof loginSchema>;

/**
 * A staff login names its e-mail as typed (compared lower-case); a malformed one simply cannot
 * match, and is answered like an unknown one. `totp` is a current code or a recovery code.
 */
export const staffLoginSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    email: z.string().check(z.minLength(1, 'Must not be empty.'), z.maxLength(254)),
    password: secretField,
    totp: z.optional(z.string().check(z.minLength(1, 'Must not be empty.'), z.maxLength(64))),
  }),
);
export type StaffLoginBody = z.infer<typeof staffLoginSchema>;

/** The code of the authenticator app that confirms a TOTP enrolment. */
export const mfaConfirmSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    code: z.string().check(z.regex(/^\d{6}$/, 'Must be the 6 digits the authenticator app shows.')),
  }),
);
export type MfaConfirmBody = z.infer<typeof mfaConfirmSchema>;

export const changePasswordSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    currentPassword: secretField,
    newPassword: passwordField,
  }),
);
export type ChangePasswordBody = z.infer<typeof changePasswordSchema>;

export const recoverSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    username: loginUsername,
    secretAnswer: secretField,
    newPassword: passwordField,
  }),
);
export type RecoverBody = z.infer<typeof recoverSchema>;

/** `POST …/suspend` and `…/reactivate` (SPEC §2.8). */
export const suspensionSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({
    reason: z.enum(SUSPENSION_REASONS, 'Must be non_payment, manual or abuse.'),
  }),
);
export type SuspensionBody = z.infer<typeof suspensionSchema>;

export const updateMeSchema = /* @__PURE__ */ schema(() =>
  z.strictObject({ userQuotaMb: z.nullable(quotaField) }),
);
export type UpdateMeBody = z.infer<typeof updateMeSchema>;
