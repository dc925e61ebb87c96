/**
 * `npm run client:generate`: writes what is generated from the operations — the OpenAPI
 * document the API serves (client/openapi.json), the TypeScript types of the client
 * (client/schema.d.ts) and the README's error catalogue. `npm test` fails while any of them
 * differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { errorCatalogueMarkdown, openApiDocument } from '#lib/api/document.ts';
import { generatedTypes } from './lib/client-types.ts';
import { CLIENT_FILES, withErrorCatalogue } from './lib/contract-files.ts';

writeFileSync(CLIENT_FILES.document, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
writeFileSync(CLIENT_FILES.types, await generatedTypes(CLIENT_FILES.document));
const readme = readFileSync(CLIENT_FILES.readme, 'utf8');
writeFileSync(CLIENT_FILES.readme, withErrorCatalogue(readme, errorCatalogueMarkdown()));
console.log('Wrote client/openapi.json, client/schema.d.ts and the README error catalogue');
