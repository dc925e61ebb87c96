/**
 * `npm run portal:screenshots`: the README's screenshots of the portal (docs/screenshots/), taken
 * in Chromium against a local stack of its own (in memory, its own ports), filled the way the
 * seed 004 walk-through leaves it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { stopEveryChild } from './lib/child-guard.ts';
import { PROJECT_ROOT, startStack } from './lib/local-stack.ts';

const PORTS = { dynamoDb: 8430, ses: 8435, http: 3420, api: 3423, lambda: 3422, websocket: 3421 };
const OUT = join(PROJECT_ROOT, 'docs', 'screenshots');
const scratch = mkdtempSync(join(tmpdir(), 'portal-shots-'));

const stack = await startStack({
  ports: PORTS,
  dataDir: null,
  streamCheckpointFile: join(scratch, 'stream-checkpoint.json'),
});
try {
  process.env.TABLE_NAME = stack.env.TABLE_NAME;
  process.env.DYNAMODB_ENDPOINT = stack.urls.dynamoDb;
  process.env.AWS_REGION ??= 'us-east-1';
  const { createPartner } = await import('#lib/provisioning/partners.ts');
  const { apiKey } = await createPartner('Acme IT', false);
  const api = async (method: string, path: string, body?: unknown) => {
    const reply = await fetch(`${stack.urls.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!reply.ok) throw new Error(`${method} ${path}: ${reply.status} ${await reply.text()}`);
    return (await reply.json()) as Record<string, { id: string }>;
  };
  const stamp = Date.now().toString(36);
  const hightech = await api('POST', '/v1/companies', {
    name: 'HighTech',
    quotaMb: 25 * 1024,
    contact: { fullName: 'Hanna Tech', email: 'hanna@hightech.example' },
    admin: { username: `hightech.admin.${stamp}`, plan: 'select', hardQuotaMb: 10 * 1024 },
  });
  const id = (hightech.company as { id: string }).id;
  await api('POST', `/v1/companies/${id}/accounts`, {
    username: `hanna.laptop.${stamp}`,
    parentId: (hightech.account as { id: string }).id,
  });
  await api('POST', `/v1/companies/${id}/accounts`, {
    username: `reception.${stamp}`,
    parentId: (hightech.account as { id: string }).id,
    contact: { fullName: 'Front Desk', email: 'desk@hightech.example' },
  });
  await api('POST', `/v1/companies/${id}/accounts`, {
    username: `hightech.basic.${stamp}`,
    plan: 'basic',
  });
  await api('POST', '/v1/companies', {
    name: 'Lakeside Dental',
    quotaMb: 50 * 1024,
    contact: { fullName: 'Lee Side', email: 'lee@lakeside.example' },
    admin: { username: `lakeside.admin.${stamp}`, plan: 'select' },
  });

  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

  const signIn = await context.newPage();
  await signIn.goto(`${stack.urls.portal}`);
  await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(signIn, 'sign-in');
  await signIn.close();

  await context.addInitScript(
    (value) => sessionStorage.setItem('portal.session', value),
    JSON.stringify({ token: apiKey, expiresAt: null, kind: 'partner', label: 'Acme IT' }),
  );
  const page = await context.newPage();
  await page.goto(`${stack.urls.portal}companies`);
  await page.getByRole('link', { name: 'HighTech' }).waitFor();
  await shot(page, 'companies');
  await page.getByRole('link', { name: 'Add New Company' }).click();
  await page.getByRole('heading', { name: 'Create Company With Admin Backup Account' }).waitFor();
  await shot(page, 'add-company');
  await page.goto(`${stack.urls.portal}companies/${id}`);
  await page.getByRole('heading', { name: 'Backup Account Usage' }).waitFor();
  await page.getByRole('button', { name: `Manage hightech.admin.${stamp}` }).click();
  await page.getByRole('button', { name: 'Change Account Size' }).click();
  await shot(page, 'company');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByRole('button', { name: 'Create Account' }).click();
  await shot(page, 'create-account');
  await page.getByRole('button', { name: 'Login as Company Admin' }).click();
  await page.getByRole('button', { name: /Click here to resume session as/ }).waitFor();
  await shot(page, 'company-admin');
  await browser.close();
  console.log(`Wrote the screenshots to ${OUT}`);
} finally {
  await stack.stop();
  await stopEveryChild();
  rmSync(scratch, { recursive: true, force: true });
}
