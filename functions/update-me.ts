import { route } from '#lib/http/handler.ts';
import { updateMe } from '#lib/provisioning/identity.ts';
import { updateMeSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['backupUser', 'companyAdmin'],
  body: updateMeSchema,
  handle: async ({ principal, body }) => ({ status: 200, body: await updateMe(principal, body) }),
});
