/**
 * Finding and launching Chromium for printing and checking. Looked for in this order:
 * PUPPETEER_EXECUTABLE_PATH; a system Chromium or Chrome; the optional npm package
 * @sparticuz/chromium, which ships its own binary, so `npm install` alone is enough on a machine
 * with no browser. STATPRESS_BROWSER=system or =npm forces one source (tests run both).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { StatpressError } from '../core/errors.js';

export type { Browser } from 'puppeteer-core';

/** Flags that let headless Chromium run in containers and keep it off the network. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--font-render-hinting=none',
];

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export interface BrowserChoice {
  source: 'env' | 'system' | 'npm';
  executablePath: string;
  args: string[];
}

async function npmChromium(): Promise<BrowserChoice | undefined> {
  try {
    const name = '@sparticuz/chromium';
    const { default: chromium } = (await import(name)) as { default: { executablePath(): Promise<string>; args: string[] } };
    const executablePath = await chromium.executablePath();
    // Its own flags, less the ones that would make a shared browser single-process.
    const args = [...new Set([...chromium.args.filter((a) => a !== '--single-process'), ...FLAGS])];
    return { source: 'npm', executablePath, args };
  } catch {
    return undefined;
  }
}

/** Where the browser comes from, in the documented order (or as STATPRESS_BROWSER forces). */
export async function findBrowser(): Promise<BrowserChoice> {
  const forced = process.env.STATPRESS_BROWSER;
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (!forced && fromEnv) {
    if (!existsSync(fromEnv)) throw new StatpressError('config', 'PUPPETEER_EXECUTABLE_PATH names no file', { value: fromEnv });
    return { source: 'env', executablePath: fromEnv, args: FLAGS };
  }
  if (forced !== 'npm') {
    const system = SYSTEM_PATHS.find((p) => existsSync(p));
    if (system) return { source: 'system', executablePath: system, args: FLAGS };
    if (forced === 'system') throw new StatpressError('config', 'STATPRESS_BROWSER=system, but no system Chromium or Chrome was found', {}, `looked in ${SYSTEM_PATHS.join(', ')}`);
  }
  const npm = await npmChromium();
  if (npm) return npm;
  throw new StatpressError(
    'config',
    'no browser found to print the PDF',
    {},
    'set PUPPETEER_EXECUTABLE_PATH, install Chromium (apt-get install chromium), or run npm install so the optional @sparticuz/chromium is present',
  );
}

export interface BrowserSession {
  /** The running browser, once launched (rejects if none could be found or started). */
  ready: Promise<{ browser: Browser; choice: BrowserChoice }>;
  /** Closes the browser if it started; safe to call whatever happened. */
  close(): Promise<void>;
}

/**
 * Starts launching a browser now and returns at once, so the launch runs while the caller does
 * other work (a build draws its charts and writes its Word file meanwhile).
 */
export function startBrowser(): BrowserSession {
  const ready = (async () => {
    const choice = await findBrowser();
    const browser = await puppeteer.launch({
      executablePath: choice.executablePath,
      args: choice.args,
      headless: true,
      // A fresh profile each time keeps runs independent and reproducible.
      userDataDir: undefined,
    });
    return { browser, choice };
  })();
  // A failed launch is reported to whoever waits for it, not as an unhandled rejection.
  ready.catch(() => undefined);
  return {
    ready,
    async close() {
      const started = await ready.catch(() => undefined);
      await started?.browser.close();
    },
  };
}

/** Launches one browser, runs `fn` with it, and always closes it, also on error. */
export async function withBrowser<T>(fn: (browser: Browser, choice: BrowserChoice) => Promise<T>): Promise<T> {
  const session = startBrowser();
  try {
    const { browser, choice } = await session.ready;
    return await fn(browser, choice);
  } finally {
    await session.close();
  }
}
