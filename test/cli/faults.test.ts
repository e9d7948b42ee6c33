/**
 * Process faults end in a message that says what happened, never "internal error" and a stack:
 * a build stopped by SIGINT or SIGTERM (Chromium closed and its profile removed, the previous
 * release as it was, exit 130 or 143), a browser that will not start, an output place that must
 * not be replaced or cannot be written, two builds into one folder, a cache that is not one.
 * The signal tests run the compiled CLI (`dist/`) in a process of its own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { RELEASE_2025, ROOT, tempDir } from '../support.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Every file under a folder with its bytes, for before-and-after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[join(entry.parentPath, entry.name).slice(dir.length)] = readFileSync(join(entry.parentPath, entry.name)).toString('base64');
  }
  return files;
}

function expectNoInternalError(result: { code: number; err: string }): void {
  expect(result.code).toBe(1);
  expect(result.err).not.toMatch(/internal error/);
  expect(result.err).not.toMatch(/\n\s+at .*:\d+:\d+/);
}

describe('stopped by a signal', () => {
  beforeAll(() => {
    // The CLI as users run it: compiled.
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', ROOT], { stdio: 'ignore', timeout: 300_000 });
  }, 300_000);

  for (const [signal, status] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal}: closes Chromium, removes its profile and the half-written release, keeps the previous one, exits ${status}`, async () => {
      const out = join(tempDir(), 'release');
      expect((await run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick')).code).toBe(0);
      const before = snapshot(out);
      const child = spawn(process.execPath, [join(ROOT, 'dist/src/bin.js'), 'build', RELEASE_2025, '--out', out, '--no-cache'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const chromium = () => {
        try {
          return execFileSync('pgrep', ['-f', `statpress-chromium-${child.pid}-`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
        } catch {
          return 0;
        }
      };
      // Wait until Chromium is up and has started its helpers.
      for (let i = 0; i < 1200 && chromium() < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(chromium()).toBeGreaterThanOrEqual(3);
      child.kill(signal);
      expect(await exited).toBe(status);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(chromium()).toBe(0);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`statpress-chromium-${child.pid}-`))).toEqual([]);
      expect(err).toContain(`statpress: stopped (${signal})`);
      expect(err).not.toMatch(/internal error|\n\s+at /);
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(join(out, '..')).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
    }, 180_000);
  }
});

describe('faults that are messages, not internal errors', () => {
  it('a browser that will not start', async () => {
    process.env.PUPPETEER_EXECUTABLE_PATH = '/bin/false';
    try {
      const result = await run('build', RELEASE_2025, '--out', join(tempDir(), 'release'), '--formats', 'html,pdf');
      expectNoInternalError(result);
      expect(result.err).toMatch(/statpress: error: Chromium could not be started \(\/bin\/false\)/);
    } finally {
      delete process.env.PUPPETEER_EXECUTABLE_PATH;
    }
  }, 120_000);

  it('--out . in a folder that is not a release, and --out naming a file, each left as they were', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const here = await run('build', RELEASE_2025, '--out', '.', '--formats', 'html', '--quick');
      expectNoInternalError(here);
      expect(here.err).toMatch(/exists and is not a statpress output \(it has no manifest\.json\)/);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    writeFileSync(join(dir, 'report.docx'), 'a report');
    const file = await run('build', RELEASE_2025, '--out', join(dir, 'report.docx'), '--formats', 'html', '--quick');
    expectNoInternalError(file);
    expect(file.err).toMatch(/report\.docx is a file, not a folder/);
    expect(readFileSync(join(dir, 'report.docx'), 'utf8')).toBe('a report');
    // --force replaces a folder that is not a release, never a file.
    expect((await run('build', RELEASE_2025, '--out', dir, '--formats', 'html', '--quick', '--force')).code).toBe(0);
    expect(existsSync(join(dir, 'main-findings.html'))).toBe(true);
  }, 120_000);

  it('an output place under a file', async () => {
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'x');
    const result = await run('build', RELEASE_2025, '--out', join(file, 'release'), '--formats', 'html', '--quick');
    expectNoInternalError(result);
    expect(result.err).toMatch(/a part of the path is a file, not a folder \(ENOTDIR\)/);
  });

  it('two builds into one folder at once: one writes it, the other stops saying why, nothing is left over', async () => {
    const out = join(tempDir(), 'release');
    const [a, b] = await Promise.all([
      run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick'),
      run('build', RELEASE_2025, '--out', out, '--formats', 'html', '--quick'),
    ]);
    const results = [a, b].sort((x, y) => x.code - y.code);
    expect(results.map((r) => r.code)).toEqual([0, 1]);
    expectNoInternalError(results[1]!);
    expect(results[1]!.err).toMatch(new RegExp(`another statpress build \\(process ${process.pid}, started [^)]+\\) is writing to .*release`));
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(readdirSync(join(out, '..')).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
  }, 120_000);

  it('a cache folder that is a file, or full of rubbish, only costs the reuse', async () => {
    const dir = tempDir();
    const file = join(dir, 'cache');
    writeFileSync(file, 'not a folder');
    const rubbish = join(dir, 'rubbish');
    for (const space of ['charts', 'templates']) {
      mkdirSync(join(rubbish, space), { recursive: true });
      writeFileSync(join(rubbish, space, `${'a'.repeat(64)}.json`), '{"key":"aaaa","parts":{"svg":1}}');
      writeFileSync(join(rubbish, space, `${'b'.repeat(64)}.json`), 'null');
    }
    const saved = process.env.STATPRESS_CACHE_DIR;
    try {
      for (const cache of [file, rubbish]) {
        process.env.STATPRESS_CACHE_DIR = cache;
        const result = await run('build', RELEASE_2025, '--out', join(dir, 'out'), '--formats', 'html', '--quick');
        expect(result.code, result.err).toBe(0);
      }
    } finally {
      process.env.STATPRESS_CACHE_DIR = saved;
    }
  }, 120_000);
});
