/**
 * The output folder: written beside the release and swapped in whole; never a moment without a
 * release under its name; a folder of other things, a file or a folder holding inputs never
 * replaced by mistake; one build at a time; and what killed builds left behind cleaned up.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatpressError } from '../../src/core/errors.js';
import { writeOutputFolder } from '../../src/platform/effects.js';
import { openOutputFolder } from '../../src/platform/output.js';
import { pendingShutdown } from '../../src/platform/shutdown.js';
import { tempDir } from '../support.js';

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A process id that belonged to a process that has ended. */
function deadPid(): number {
  const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child);
}

/** Every file under a folder (links followed at the top), with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name).slice(dir.length)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

function errorOf(fn: () => unknown): StatpressError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected an error');
}

const release = (text: string) =>
  new Map<string, string>([
    ['main-findings.html', `<p>${text}</p>`],
    ['data/table.csv', `a,b\n${text},1\n`],
    ['manifest.json', `{"tool":{"name":"statpress"},"text":"${text}"}`],
  ]);

describe('writing a release', () => {
  it('writes every file, streamed ones too, and gives the hash and size of each as written', async () => {
    const out = join(tempDir(), 'out');
    const sink = openOutputFolder(out);
    const records = [
      await sink.write('a.txt', 'hello'),
      await sink.write('b/c.bin', new Uint8Array([1, 2, 3])),
      await sink.write('d.csv', {
        streamed: true,
        async *chunks() {
          yield 'x,y\n';
          yield Buffer.from('1,2\n');
        },
      }),
    ];
    sink.commit();
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(out, 'd.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(records).toEqual([
      { sha256: sha('hello'), bytes: 5 },
      { sha256: sha(Buffer.from([1, 2, 3])), bytes: 3 },
      { sha256: sha('x,y\n1,2\n'), bytes: 8 },
    ]);
    // The name is a link to the folder of this build; nothing else is left beside it.
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(out, '..')).sort()).toEqual(['.out.' + readlinkSync(out).split('.out.')[1], 'out'].sort());
    expect(pendingShutdown()).toBe(0);
  });

  it('replaces the previous release whole, and removes its folder at the next build', async () => {
    const out = join(tempDir(), 'out');
    await writeOutputFolder(out, new Map([...release('one'), ['old-only.txt', 'gone']]));
    const first = readlinkSync(out);
    await writeOutputFolder(out, release('two'));
    const second = readlinkSync(out);
    expect(snapshot(out)).toEqual(Object.fromEntries([...release('two')].map(([k, v]) => [`/${k}`, v])));
    // Kept for a reader who followed the link just before the swap, until the next build.
    expect(existsSync(join(out, '..', first))).toBe(true);
    await writeOutputFolder(out, release('three'));
    expect(existsSync(join(out, '..', first))).toBe(false);
    expect(readdirSync(join(out, '..')).filter((f) => f !== 'out').sort()).toEqual([readlinkSync(out), second].sort());
  });

  it('leaves the previous release as it was when a build stops before the end', async () => {
    const out = join(tempDir(), 'out');
    await writeOutputFolder(out, release('one'));
    const before = snapshot(out);
    const sink = openOutputFolder(out);
    await sink.write('main-findings.html', 'half written');
    sink.close();
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(join(out, '..')).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
  });

  it('always has a release under its name while another one is swapped in', async () => {
    const out = join(tempDir(), 'out');
    await writeOutputFolder(out, release('0'));
    // A reader in another process looks for the manifest as fast as it can while 30 builds replace it.
    const reader = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); let looks = 0, missing = 0; const end = Date.now() + 60000;
       process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ looks, missing })); process.exit(0); });
       (function look() { for (let i = 0; i < 200; i++) { looks++; try { fs.readFileSync(${JSON.stringify(join(out, 'manifest.json'))}); } catch { missing++; } } if (Date.now() < end) setImmediate(look); })();`,
    ]);
    let report = '';
    reader.stdout.on('data', (d: Buffer) => (report += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 1; i <= 30; i++) await writeOutputFolder(out, release(String(i)));
    reader.stdin.write('stop\n');
    await new Promise((resolve) => reader.on('exit', resolve));
    const { looks, missing } = JSON.parse(report) as { looks: number; missing: number };
    expect(looks).toBeGreaterThan(1000);
    expect(missing).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).text).toBe('30');
  }, 60_000);

  it('takes the place of a release folder an older statpress made', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{}');
    writeFileSync(join(out, 'stale.txt'), 'old');
    await writeOutputFolder(out, release('new'));
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f !== 'out')).toEqual([readlinkSync(out)]);
  });
});

describe('what is never replaced', () => {
  it('a folder that is not a statpress output, unless forced', async () => {
    const dir = tempDir();
    const out = join(dir, 'thesis');
    mkdirSync(out);
    writeFileSync(join(out, 'chapter-1.tex'), 'precious');
    const error = errorOf(() => openOutputFolder(out));
    expect(error.describe()).toMatch(/thesis exists and is not a statpress output \(it has no manifest\.json\); a build replaces the whole folder, so it is left alone \(choose another folder with --out, or add --force/);
    expect(readFileSync(join(out, 'chapter-1.tex'), 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['thesis']);
    await writeOutputFolder(out, release('forced'), { force: true });
    expect(existsSync(join(out, 'chapter-1.tex'))).toBe(false);
  });

  it('a file, even when forced', () => {
    const file = join(tempDir(), 'report.docx');
    writeFileSync(file, 'my report');
    for (const force of [false, true]) expect(errorOf(() => openOutputFolder(file, { force })).describe()).toMatch(/report\.docx is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('my report');
  });

  it('a folder that holds an input of the release, even when forced', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const input = join(dir, 'releases', 'release.yaml');
    for (const force of [false, true]) {
      expect(errorOf(() => openOutputFolder(dir, { force, inputs: [input] })).describe()).toMatch(/holds an input of the release \(.*release\.yaml\), which a build would delete/);
    }
    expect(errorOf(() => openOutputFolder('/', { force: true })).describe()).toMatch(/cannot be the root/);
  });

  it('a place that cannot be written, with a message saying why', () => {
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'a file');
    expect(errorOf(() => openOutputFolder(join(file, 'out'))).describe()).toMatch(/cannot use .*notes\.txt\/out as the output folder: a part of the path is a file, not a folder \(ENOTDIR\)/);
  });
});

describe('one build at a time', () => {
  it('stops a second build into the same folder with a message, and lets the next one in', () => {
    const out = join(tempDir(), 'out');
    const first = openOutputFolder(out);
    const error = errorOf(() => openOutputFolder(out));
    expect(error.describe()).toMatch(new RegExp(`another statpress build \\(process ${process.pid}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\) is writing to .*out \\(wait for it to finish and build again; if no such build is running, delete .*out\\.lock\\)`));
    first.close();
    openOutputFolder(out).close();
  });

  it('takes over the lock of a build that was killed', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'out.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), started: '2025-01-01T00:00:00Z' }));
    const sink = openOutputFolder(out);
    expect(JSON.parse(readFileSync(join(dir, 'out.lock'), 'utf8')).pid).toBe(process.pid);
    sink.close();
    expect(existsSync(join(dir, 'out.lock'))).toBe(false);
  });
});

describe('what killed builds left', () => {
  it('is removed by the next build into the same place, and a live build\'s is left alone', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    await writeOutputFolder(out, release('one'));
    const dead = deadPid();
    const live = process.ppid;
    for (const name of [`.out.tmp-${dead}`, `out.tmp-${dead}`, `.out.v-${dead}-abc`, `.out.old-${dead}`, `out.old-${dead}`, `out.tmp-${live}`, 'other.tmp-1']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'big.bin'), 'x'.repeat(1000));
    }
    symlinkSync('.out.v-1-x', join(dir, `.out.link-${dead}`));
    openOutputFolder(out).close();
    expect(readdirSync(dir).sort()).toEqual([readlinkSync(out), 'other.tmp-1', 'out', `out.tmp-${live}`].sort());
  });

  it('puts the previous release back when a build was killed between moving it aside and putting the new one in', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{"release":"previous"}');
    // What an older statpress left after a kill between its two renames: no `out` at all.
    const dead = deadPid();
    renameSync(out, join(dir, `out.old-${dead}`));
    const sink = openOutputFolder(out);
    // Before this build has done anything, the previous release is back under its name.
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).release).toBe('previous');
    sink.close();
    expect(readdirSync(dir)).toEqual(['out']);
  });
});
