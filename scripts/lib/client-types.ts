import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const cli = fileURLToPath(
  new URL('../../client/node_modules/openapi-typescript/bin/cli.js', import.meta.url),
);

/**
 * The types openapi-typescript makes of the document. It runs in its own workspace (client/),
 * which carries the TypeScript 5 it needs beside the project's TypeScript 7.
 */
export async function generatedTypes(documentFile: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, documentFile], {
    cwd: fileURLToPath(new URL('../../client/', import.meta.url)),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
