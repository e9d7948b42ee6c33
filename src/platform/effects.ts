/**
 * Effects: everything a build does to the world besides computing, in one object handed to
 * the pipeline. Reading inputs, the store of reusable drawings and compiled templates, the
 * clock for timings, progress reports and writing the outputs all go through it, so the stages
 * (load, compute, narrate, render) stay functions of their inputs, and a test or a preview can
 * give a build its own world.
 *
 * Every input read is remembered with its SHA-256, which is what the manifest records: the
 * hashes are of the bytes the build used, not of the files as they are later.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { IsoDate } from '../core/dates.js';
import { StatpressError } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import { diskStore, layeredStore, memoryStore, type Store } from './cache.js';
import { PACKAGE_ROOT } from './package.js';

export interface InputRead {
  sha256: string;
  bytes: number;
}

export interface Effects {
  /** Reads an input of the release (config, data, template, spec, resource). */
  readBytes(file: string): Uint8Array;
  readText(file: string): string;
  /** Every input read so far, by absolute path. */
  readonly reads: ReadonlyMap<string, InputRead>;
  /** Reusable derived things: drawn charts, compiled templates. */
  readonly store: Store;
  /** Milliseconds, for timings only (never printed into an output). */
  now(): number;
  /** Today's date (UTC), to refuse a release dated in the future. */
  today(): IsoDate;
  progress: ProgressSink;
  /** Writes all files to `outDir` at once, replacing what was there only on success. */
  writeOutputs(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void;
}

export interface EffectsOptions {
  /** Folder for the store between processes; `false` for memory only. Default: `storeDir()`. */
  storeDir?: string | false;
  progress?: ProgressSink;
  /** Replaces the calendar (tests). */
  today?: () => IsoDate;
  /** Replaces writing to disk (tests, `statpress check`). */
  writeOutputs?: Effects['writeOutputs'];
}

/**
 * The store folder builds use unless told otherwise: `STATPRESS_CACHE_DIR` if set (`off` for
 * none), else `node_modules/.cache/statpress` of this installation.
 */
export function storeDir(): string | undefined {
  const setting = process.env.STATPRESS_CACHE_DIR;
  if (setting === 'off') return undefined;
  return setting ? resolve(setting) : join(PACKAGE_ROOT, 'node_modules', '.cache', 'statpress');
}

/** Effects on this machine's files. */
export function nodeEffects(options: EffectsOptions = {}): Effects {
  const reads = new Map<string, InputRead>();
  const dir = options.storeDir === false ? undefined : options.storeDir ?? storeDir();
  const store = layeredStore(dir ? diskStore(dir) : undefined, memoryStore());
  const readBytes = (file: string): Uint8Array => {
    const path = resolve(file);
    const bytes = new Uint8Array(readFileSync(path));
    reads.set(path, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength });
    return bytes;
  };
  return {
    readBytes,
    readText: (file) => Buffer.from(readBytes(file)).toString('utf8'),
    reads,
    store,
    now: () => performance.now(),
    today: options.today ?? (() => new Date().toISOString().slice(0, 10)),
    progress: options.progress ?? (() => {}),
    writeOutputs: options.writeOutputs ?? writeOutputFolder,
  };
}

/** Atomic replacement of the output folder: write beside it, then swap. */
export function writeOutputFolder(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const target = resolve(outDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = `${target}.tmp-${process.pid}`;
  const backup = `${target}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [name, content] of files) {
      const path = join(staging, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new StatpressError('output', `could not write the outputs: ${(error as Error).message}`, { file: staging });
  }
  if (existsSync(target)) renameSync(target, backup);
  renameSync(staging, target);
  rmSync(backup, { recursive: true, force: true });
}
