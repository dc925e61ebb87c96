import { fileURLToPath } from 'node:url';

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The generated files that are committed, and the README that holds the error catalogue. */
export const CLIENT_FILES = {
  document: file('client/openapi.json'),
  types: file('client/schema.d.ts'),
  readme: file('README.md'),
};

const START = '<!-- error-catalogue:start (npm run client:generate) -->';
const END = '<!-- error-catalogue:end -->';

/** The README with its catalogue section replaced; it must already have the markers. */
export function withErrorCatalogue(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${table}${readme.slice(end)}`;
}

/** The catalogue section as the README holds it. */
export function errorCatalogueOf(readme: string): string {
  return readme.slice(readme.indexOf(START) + START.length + 1, readme.indexOf(END));
}
