import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERRORS,
  errorCatalogueMarkdown,
  errorCodesOf,
  OPERATIONS,
  openApiDocument,
} from '#lib/api/document.ts';
import { generatedTypes } from '../../scripts/lib/client-types.ts';
import { CLIENT_FILES, errorCatalogueOf } from '../../scripts/lib/contract-files.ts';

const committed = (path: string) => readFileSync(path, 'utf8');

describe('the generated contract files', () => {
  it('serve the document the operations build (run `npm run client:generate` after a change)', () => {
    expect(JSON.parse(committed(CLIENT_FILES.document))).toEqual(openApiDocument());
  });

  it('hold the client types openapi-typescript makes of the committed document', async () => {
    expect(committed(CLIENT_FILES.types)).toBe(await generatedTypes(CLIENT_FILES.document));
  }, 60_000);

  it('list the error catalogue in the README as the code defines it', () => {
    expect(errorCatalogueOf(committed(CLIENT_FILES.readme))).toBe(errorCatalogueMarkdown());
  });
});

describe('the operations', () => {
  it('have unique operation ids and unique method-path pairs', () => {
    const ids = OPERATIONS.map((o) => o.operationId);
    const routes = OPERATIONS.map((o) => `${o.method} ${o.path}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('name only codes of the catalogue', () => {
    for (const operation of OPERATIONS) {
      for (const code of errorCodesOf(operation)) expect(ERRORS.has(code), code).toBe(true);
    }
  });

  it('document 401 for every route that needs a caller and 404 for every route naming an id', () => {
    const responses = (openApiDocument().paths ?? {}) as Record<string, Record<string, any>>;
    for (const operation of OPERATIONS) {
      const documented = responses[operation.path]?.[operation.method.toLowerCase()].responses;
      if (!operation.allow.includes('anonymous')) {
        expect(documented['401'], operation.operationId).toEqual({
          $ref: '#/components/responses/Unauthorized',
        });
      }
      expect(Object.hasOwn(documented, '404'), operation.operationId).toBe(
        operation.path.includes('{'),
      );
    }
  });
});
