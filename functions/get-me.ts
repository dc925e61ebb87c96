import { route } from '#lib/http/handler.ts';
import { getMe } from '#lib/provisioning/identity.ts';

export const handler = route({
  allow: ['backupUser', 'companyAdmin'],
  handle: async ({ principal }) => ({ status: 200, body: await getMe(principal) }),
});
