import { commandLine } from './lib/cli-args.ts';
import { fail, useTableFromEnvironment } from './lib/cli-env.ts';

const usage = `Usage: npm run partner:list

Prints every partner, one JSON object a line (JSON Lines):
  {"id":"…","name":"…","fineIncrements":false,"createdAt":"…"}
It reads the whole table page by page (a Scan): meant for the operator, not for a request path.`;

commandLine(usage, {});

useTableFromEnvironment();
const { scanPartners } = await import('#lib/store/partners.ts');
try {
  let cursor: string | null = null;
  do {
    const page = await scanPartners(cursor);
    for (const partner of page.items) console.log(JSON.stringify(partner));
    cursor = page.nextCursor;
  } while (cursor);
} catch (error) {
  fail(
    `Could not list the partners (is the local stack running? \`npm start\`): ${(error as Error).message}`,
  );
}
