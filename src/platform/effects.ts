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
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IsoDate } from '../core/dates.js';
import type { ProgressSink } from '../core/progress.js';
import { diskStore, layeredStore, memoryStore, type Store } from './cache.js';
import { isStreamed, openOutputFolder, type OutputContent, type OutputOptions, type OutputRecord, type OutputSink } from './output.js';
import { PACKAGE_ROOT } from './package.js';

export type { OutputContent, OutputOptions, OutputRecord, OutputSink, StreamedOutput } from './output.js';

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
  /**
   * Opens the output folder of a build (checked, locked, cleaned of what killed builds left):
   * outputs are written one by one, streamed ones as they are produced, and replace the old
   * release only at `commit`.
   */
  openOutput(outDir: string, options?: OutputOptions): OutputSink;
  /**
   * Writes all files at once instead (tests and `statpress check` give one that writes nothing):
   * when given, the outputs are gathered in memory and handed to it at `commit`.
   */
  writeOutputs?(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void | Promise<void>;
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
    openOutput: options.writeOutputs ? memoryOutput(options.writeOutputs) : openOutputFolder,
    ...(options.writeOutputs ? { writeOutputs: options.writeOutputs } : {}),
  };
}

/** Outputs gathered in memory and handed over at once at commit (streamed ones read whole). */
export function memoryOutput(writeOutputs: NonNullable<Effects['writeOutputs']>): (outDir: string) => OutputSink {
  return (outDir) => {
    const files = new Map<string, string | Uint8Array>();
    return {
      async write(name, content: OutputContent): Promise<OutputRecord> {
        let whole: string | Uint8Array;
        if (isStreamed(content)) {
          const parts: Buffer[] = [];
          for await (const chunk of content.chunks()) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
          whole = new Uint8Array(Buffer.concat(parts));
        } else whole = content;
        files.set(name, whole);
        return { sha256: createHash('sha256').update(whole).digest('hex'), bytes: typeof whole === 'string' ? Buffer.byteLength(whole) : whole.byteLength };
      },
      async commit() {
        await writeOutputs(outDir, files);
      },
      close() {},
    };
  };
}

/** Writes `files` as the output folder `outDir` at once (see `output.ts`): the old one stays until all are written. */
export async function writeOutputFolder(outDir: string, files: ReadonlyMap<string, OutputContent>, options: OutputOptions = {}): Promise<void> {
  const sink = openOutputFolder(outDir, options);
  try {
    for (const [name, content] of files) await sink.write(name, content);
    sink.commit();
  } finally {
    sink.close();
  }
}
