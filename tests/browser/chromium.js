// chromium.js - Debian's Chromium driven by playwright-core, for the
// browser tests, and the static server they load pages from.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch Chromium and serve the repository root; returns { browser, url, close }. */
export async function startBrowser(root = new URL('../../', import.meta.url).pathname) {
  const server = await serve(root, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
  return {
    browser,
    url: server.url,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A new page that fails the test on any console error or uncaught exception. */
export async function newPage(context, errors) {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return page;
}
