/**
 * Headless Chromium for the page tests, driven by puppeteer-core (which never downloads a
 * browser): Debian's `chromium`, found through CHROMIUM_PATH or on PATH. Tests that need it
 * skip, with a notice, where it is absent.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export function findChromium(): string | undefined {
  const env = process.env['CHROMIUM_PATH'];
  if (env !== undefined && env !== '') return existsSync(env) ? env : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter))
    for (const name of ['chromium', 'chromium-browser']) {
      const path = join(dir, name);
      if (dir !== '' && existsSync(path)) return path;
    }
  return undefined;
}

export async function launch(executablePath: string): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Chromium refuses to run sandboxed as root (CI containers).
    args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors, uncaught exceptions and requests for anything but the page itself. */
  readonly problems: string[];
}

/** Opens a page file with a fresh tab, recording everything that would mean it is broken. */
export async function open(
  browser: Browser,
  file: string,
  viewport = { width: 1400, height: 1000 },
): Promise<OpenedPage> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn')
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${String(e)}`));
  page.on('request', (r) => {
    if (r.url().split('#')[0] !== url) problems.push(`external request: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/**
 * Runs `body` (JavaScript source of a function body) in the page and returns its result. The
 * code is text because the tests compile without the DOM's types.
 */
export function inPage<T>(page: Page, body: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    `(function () { const args = ${JSON.stringify(args)}; ${body} })()`,
  ) as Promise<T>;
}
