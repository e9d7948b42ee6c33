/**
 * Finding and launching Chromium for printing and checking. Looked for in this order:
 * PUPPETEER_EXECUTABLE_PATH; a system Chromium or Chrome; the optional npm package
 * @sparticuz/chromium, which ships its own binary, so `npm install` alone is enough on a machine
 * with no browser. STATPRESS_BROWSER=system or =npm forces one source (tests run both).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { StatpressError } from '../core/errors.js';
import { markSpan } from '../core/progress.js';
import { isRunning } from './output.js';
import { onShutdown } from './shutdown.js';

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

/** Chromium's profile folders are made here, named after the process that made them. */
const PROFILE_PREFIX = 'statpress-chromium-';

/** Removes the profile folders of processes that no longer run (killed with no chance to clean up). */
function removeStaleProfiles(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^statpress-chromium-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isRunning(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** The first line of an error's message, without the stack or the browser's log that follow it. */
function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n').find((line) => line.trim() !== '')?.trim() ?? 'no reason given';
}

/**
 * Starts launching a browser now and returns at once, so the launch runs while the caller does
 * other work (a build draws its charts and writes its Word file meanwhile).
 *
 * Chromium gets a profile folder of statpress's own, and talks to statpress over a pipe, so it
 * ends when statpress does, however statpress ends. If statpress is stopped (Ctrl+C, SIGTERM),
 * the shutdown (`shutdown.ts`) kills it and removes its profile before the process exits.
 */
export function startBrowser(): BrowserSession {
  removeStaleProfiles();
  let browser: Browser | undefined;
  let profile: string | undefined;
  let closed = false;
  /** Ends Chromium and removes its profile; `stopped`: statpress is being stopped, Chromium's helpers may outlive it. */
  const cleanUp = async (stopped = false): Promise<void> => {
    const child = browser?.process();
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Chromium runs in a process group of its own: end all of it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      // The profile is removed once Chromium has gone (a dying browser can still be writing to it).
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    if (!profile) return;
    // Chromium's helpers (renderers, the crash handler) die a moment after the browser and can
    // still write to the profile: it is removed until it stays gone.
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
      } catch {
        // in use: tried again below
      }
      // A browser that closed itself has nothing left to write.
      if (!stopped && !existsSync(profile)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!existsSync(profile)) return;
    }
  };
  const unregister = onShutdown(async () => {
    closed = true;
    await cleanUp(true);
  });
  const ready = (async () => {
    const launchStart = performance.now();
    const choice = await findBrowser();
    profile = mkdtempSync(join(tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
    try {
      browser = await puppeteer.launch({
        executablePath: choice.executablePath,
        args: choice.args,
        headless: true,
        // A fresh profile each time keeps runs independent and reproducible.
        userDataDir: profile,
        pipe: true,
        // statpress stops Chromium itself when it is stopped (see above).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      await cleanUp();
      throw new StatpressError('config', `Chromium could not be started (${choice.executablePath}): ${firstLine(error)}`, {}, 'check that it runs on this machine, or point PUPPETEER_EXECUTABLE_PATH at one that does');
    }
    if (closed) {
      await cleanUp();
      throw new StatpressError('config', 'statpress was stopped while Chromium started');
    }
    markSpan('chromium launch', launchStart);
    return { browser, choice };
  })();
  // A failed launch is reported to whoever waits for it, not as an unhandled rejection.
  ready.catch(() => undefined);
  return {
    ready,
    async close() {
      const started = await ready.catch(() => undefined);
      try {
        await started?.browser.close();
      } catch {
        // already gone: the clean-up below makes sure
      } finally {
        await cleanUp();
        unregister();
      }
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
