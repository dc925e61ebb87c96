import { beforeAll, describe, expect, it } from 'vitest';
import { errorPaths, expectProblem, GB, newPartners, type Partner } from './fixtures.ts';
import { call, scanTable, uniqueName } from './helpers.ts';

/** Where Powertools keeps its records (lib/store/keys.ts). */
const IDEMPOTENCY_PARTITION = 'IDEMPOTENCY';

let partner: Partner;

beforeAll(async () => {
  [partner] = (await newPartners('Hostile IT')) as [Partner];
});

/** A valid POST /v1/companies body as JSON text, with `extra` spliced in at the top and in `contact`. */
function companyText(username: string, extra = '') {
  const comma = extra ? `${extra},` : '';
  return `{${comma}"name":"Hostile Ltd","quotaMb":${10 * GB},"contact":{${comma}"fullName":"Hos Tile","email":"${username}@hostile.example"},"admin":{"username":"${username}","plan":"select"}}`;
}

/** What a refused request must not have left: an item naming its username, or any idempotency record. */
async function traces(username: string) {
  const items = await scanTable();
  return {
    naming: items.filter((item) => JSON.stringify(item).includes(username)).length,
    idempotencyRecords: items.filter((item) => item.PK === IDEMPOTENCY_PARTITION).length,
  };
}

const post = (rawBody: string) =>
  call('POST', '/v1/companies', {
    token: partner.apiKey,
    rawBody,
    headers: { 'idempotency-key': uniqueName('hostile-') },
  });

describe('hostile bodies over HTTP: 400 VALIDATION_FAILED naming the field, and nothing written', () => {
  it.each([
    [
      'objects in a field',
      (u: string) =>
        companyText(u).replace(
          '"fullName"',
          `"a":${'{"a":'.repeat(9000)}1${'}'.repeat(9000)},"fullName"`,
        ),
      'contact',
    ],
    ['arrays', () => `${'['.repeat(9000)}${']'.repeat(9000)}`, 'body'],
  ])(
    'refuses %s nested 9 000 levels deep (under 64 KB) naming the field',
    async (_, text, field) => {
      // Prepare
      const username = uniqueName('deep.');
      const rawBody = text(username);
      expect(Buffer.byteLength(rawBody)).toBeLessThan(64 * 1024);
      const before = await traces(username);

      // Act
      const reply = await post(rawBody);

      // Assess
      const problem = expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([{ path: field, message: 'Nested deeper than 32 levels.' }]);
      expect(reply.headers.get('x-request-id')).toBeTruthy();
      expect(await traces(username)).toEqual({
        naming: 0,
        idempotencyRecords: before.idempotencyRecords,
      });
    },
  );

  it.each(['__proto__', 'constructor'])(
    'names a `%s` field as unknown, at the top and in contact, and the body without it is then created',
    async (name) => {
      // Prepare
      const username = uniqueName('proto.');
      const before = await traces(username);

      // Act
      const reply = await post(companyText(username, `"${name}":{"isAdmin":true}`));

      // Assess
      const problem = expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(errorPaths(reply).sort()).toEqual([name, `contact.${name}`].sort());
      for (const error of problem.errors) expect(error.message).toBe('Unknown field.');
      expect(reply.headers.get('x-request-id')).toBeTruthy();
      expect(await traces(username)).toEqual({
        naming: 0,
        idempotencyRecords: before.idempotencyRecords,
      });
      const clean = await post(companyText(username));
      expect(clean.status, 'the username is still free').toBe(201);
    },
  );
});
