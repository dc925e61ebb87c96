/**
 * `npm run client:generate`: writes the OpenAPI document built from the operations to
 * client/openapi.json (the file the API serves) and the TypeScript types generated from it to
 * client/schema.d.ts. `npm test` fails while either differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '#lib/api/document.ts';
import { generatedTypes } from './lib/client-types.ts';

const client = (name: string) => fileURLToPath(new URL(`../client/${name}`, import.meta.url));

const document = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
writeFileSync(client('openapi.json'), document);
writeFileSync(client('schema.d.ts'), await generatedTypes(client('openapi.json')));
console.log('Wrote client/openapi.json and client/schema.d.ts');
