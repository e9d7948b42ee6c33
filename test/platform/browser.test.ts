/**
 * Chromium's lifetime: a profile folder of statpress's own, gone with the browser; no process or
 * profile survives a stop (the shutdown kills it), nor a profile of a process that was killed
 * outright (the next start removes it); a browser that will not start is a message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StatpressError } from '../../src/core/errors.js';
import { startBrowser } from '../../src/platform/browser.js';
import { pendingShutdown, runShutdown } from '../../src/platform/shutdown.js';

const profiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`statpress-chromium-${process.pid}-`));
/** Processes whose command line names one of this process's profile folders. */
function chromiumProcesses(): number {
  try {
    return execFileSync('pgrep', ['-f', `statpress-chromium-${process.pid}-`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

afterEach(() => {
  delete process.env.PUPPETEER_EXECUTABLE_PATH;
});

describe('a browser session', () => {
  it('runs Chromium with a profile of its own and removes it on close', async () => {
    const session = startBrowser();
    const { browser } = await session.ready;
    expect(await browser.version()).toMatch(/Chrom/);
    expect(profiles()).toHaveLength(1);
    expect(chromiumProcesses()).toBeGreaterThan(0);
    await session.close();
    await settle();
    expect(profiles()).toEqual([]);
    expect(chromiumProcesses()).toBe(0);
    expect(pendingShutdown()).toBe(0);
  }, 60_000);

  it('leaves no Chromium process and no profile when the process is stopped while it runs', async () => {
    const session = startBrowser();
    const { browser } = await session.ready;
    const page = await browser.newPage();
    await page.setContent('<p>statpress</p>');
    expect(chromiumProcesses()).toBeGreaterThan(1);
    await runShutdown();
    await settle();
    expect(chromiumProcesses()).toBe(0);
    expect(profiles()).toEqual([]);
    await session.close();
  }, 60_000);

  it('removes the profile a killed process left, and not one whose process still runs', async () => {
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    const stale = join(tmpdir(), `statpress-chromium-${dead}-left`);
    const live = join(tmpdir(), `statpress-chromium-${process.ppid}-inuse`);
    for (const dir of [stale, live]) mkdirSync(join(dir, 'Default'), { recursive: true });
    const session = startBrowser();
    await session.ready;
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await session.close();
    execFileSync('rm', ['-rf', live]);
  }, 60_000);

  it('says which browser would not start, and leaves nothing behind', async () => {
    process.env.PUPPETEER_EXECUTABLE_PATH = '/bin/false';
    const session = startBrowser();
    const error = await session.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatpressError);
    expect((error as StatpressError).describe()).toMatch(/^Chromium could not be started \(\/bin\/false\): .+ \(check that it runs on this machine, or point PUPPETEER_EXECUTABLE_PATH at one that does\)$/);
    expect((error as StatpressError).describe()).not.toMatch(/\n\s+at /);
    await session.close();
    expect(profiles()).toEqual([]);
  }, 60_000);
});
