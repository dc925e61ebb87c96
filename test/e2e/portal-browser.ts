/// <reference lib="dom" />
// Code in page.evaluate() runs in the page: it is typed by the DOM.
/**
 * The portal in a real browser: Debian's Chromium driven by playwright-core (STACK.md), against the
 * e2e stack's front server, which serves the built portal and the API on one origin.
 */
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    // playwright-core gives the browser a fresh profile of its own and removes it on close.
    close: () => browser.close(),
  };
}

/**
 * A partner session seeded the way the portal keeps one (sessionStorage, see docs/portal.md):
 * a partner API key as the bearer token (a full key: no staff role, so no Staff or API Keys page).
 * Test-only: the portal itself never takes a key.
 */
export async function partnerContext(
  browser: Browser,
  partner: { apiKey: string; name: string },
  options: { axe?: boolean } = { axe: true },
): Promise<BrowserContext> {
  const context = await auditedContext(browser, options);
  await context.addInitScript(
    ({ apiKey, name }) => {
      if (!sessionStorage.getItem('portal.session')) {
        sessionStorage.setItem(
          'portal.session',
          JSON.stringify({
            token: apiKey,
            expiresAt: null,
            kind: 'partner',
            label: name,
          }),
        );
      }
    },
    { apiKey: partner.apiKey, name: partner.name },
  );
  return context;
}

/**
 * The portal's CSP (script-src 'self') refuses axe-core's injected script: a context that runs
 * axe sets bypassCSP. The keyboard test's context keeps the CSP, so the app is proven under it.
 */
export const auditedContext = (browser: Browser, options: { axe?: boolean } = { axe: true }) =>
  browser.newContext({ bypassCSP: options.axe !== false });

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core on the screen as it is now: no serious or critical violation (SPEC §8). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const bad = (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target).join(', ')}`);
  expect(bad, `axe on ${screen}`).toEqual([]);
}

/** The text of the problem shown for the control labelled `label` (aria-describedby). */
export async function fieldErrorOf(page: Page, label: string): Promise<string> {
  const control = page.getByLabel(label, { exact: true });
  const ids = (await control.getAttribute('aria-describedby')) ?? '';
  const texts: string[] = [];
  for (const id of ids.split(' ').filter((one) => one.endsWith('-error'))) {
    texts.push(await page.locator(`#${id}`).innerText());
  }
  return texts.join(' ');
}
