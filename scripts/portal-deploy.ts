/**
 * `npm run portal:deploy -- --bucket <PortalBucketName>`: builds the portal and uploads it to the
 * stage's private bucket (the stack output PortalBucketName, see `npx osls info --verbose`).
 * Hashed assets go first with a year's cache; index.html last with no-cache, so CloudFront serves
 * the new version within a second without an invalidation, and a page still open keeps finding
 * the assets it names (old ones are not deleted).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { commandLine } from './lib/cli-args.ts';
import { buildPortal, PORTAL_DIST } from './lib/portal-build.ts';

const usage = `Usage: npm run portal:deploy -- --bucket <name> [--region us-east-1]

Builds portal/ and uploads portal/dist to the stage's portal bucket (stack output PortalBucketName).`;
const { bucket, region } = commandLine(usage, {
  bucket: { type: 'string' },
  region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
});
if (!bucket) {
  console.error(`--bucket is required\n${usage}`);
  process.exit(2);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );

await buildPortal((line) => console.log(line));
const s3 = new S3Client({ region });
const all = files(PORTAL_DIST).map((path) => relative(PORTAL_DIST, path).split(sep).join('/'));
const ordered = [...all.filter((key) => key !== 'index.html'), 'index.html'];
for (const key of ordered) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: readFileSync(join(PORTAL_DIST, key)),
      ContentType: TYPES[extname(key)] ?? 'application/octet-stream',
      CacheControl: key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    }),
  );
  console.log(`uploaded ${key}`);
}
