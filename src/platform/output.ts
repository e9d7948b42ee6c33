/**
 * The output folder: written beside the old one, then swapped in whole, so that a failed or
 * stopped build leaves the previous release exactly as it was, and so that the name always
 * holds a complete release, the old one or the new one.
 *
 *   OUT                a symbolic link to the folder of the latest build
 *   .OUT.v-PID-N       that folder
 *   .OUT.tmp-PID       a build being written
 *   OUT.lock           held while a build writes (its process id and start time)
 *
 * The swap replaces the link OUT in one rename(2), which is atomic: at every instant OUT is the
 * old release or the new one. (Directories cannot be swapped that way: a folder cannot be renamed
 * over one that is not empty. So the first build into a folder an older statpress made, which
 * is a real folder, moves it aside as .OUT.old-PID before the link takes its name; if the
 * process is killed between the two, the next build puts it back.) Where links cannot be made
 * (Windows without the right), the new folder replaces the old one by those two renames.
 *
 * A folder that exists and is not a statpress output (it has no manifest.json) is not replaced
 * without `force`, nor one that holds an input of the release, nor a file. Temporary folders of
 * builds that were killed are removed by the next build into the same place, as is the release
 * the last build replaced (kept until then, so that a reader who followed the link just before
 * the swap still finds its files).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StatpressError } from '../core/errors.js';
import { onShutdown } from './shutdown.js';

/** An output produced piece by piece and written as it comes, never held whole. */
export interface StreamedOutput {
  readonly streamed: true;
  /** The content, in order; called once. */
  chunks(): AsyncIterable<string | Uint8Array>;
}

export type OutputContent = string | Uint8Array | StreamedOutput;

export function isStreamed(content: OutputContent): content is StreamedOutput {
  return typeof content === 'object' && 'streamed' in content;
}

/** What was written: the SHA-256 and size of each output, for the manifest. */
export interface OutputRecord {
  sha256: string;
  bytes: number;
}

/** Where a build writes its outputs, one at a time, before they become the release. */
export interface OutputSink {
  write(name: string, content: OutputContent): Promise<OutputRecord>;
  /** Makes what was written the output folder. */
  commit(): void | Promise<void>;
  /** Forgets whatever was written and not committed, and gives up the folder. Safe to call twice. */
  close(): void;
}

export interface OutputOptions {
  /** Replace a folder that is not a statpress output. */
  force?: boolean;
  /** Files and folders the build reads: the output folder may not hold any of them. */
  inputs?: readonly string[];
}

/** Why a file-system call failed, in words (the code in brackets). */
export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'the operation is not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ENOENT: 'it does not exist',
    EEXIST: 'it already exists',
    ENOTEMPTY: 'the folder is not empty',
    EBUSY: 'it is in use',
    EMFILE: 'too many files are open',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'it leads round a loop of links',
    EXDEV: 'it is on another file system',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ? `${(error as Error).message}` : String((error as Error)?.message ?? error);
}

/** True while a process with this id runs (on this machine). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isInside = (file: string, folder: string): boolean => {
  const rel = relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

interface Lock {
  pid: number;
  host: string;
  started: string;
}

function readLock(file: string): Lock | undefined {
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Partial<Lock>;
    return typeof lock.pid === 'number' ? { pid: lock.pid, host: String(lock.host ?? ''), started: String(lock.started ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `OUT.lock`, made with O_EXCL so that only one process can. A lock left by a process that
 * no longer runs is taken over; one held by a running build stops this one with a message.
 */
function takeLock(file: string, target: string): void {
  const mine: Lock = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StatpressError('output', `could not take the lock ${file}: ${reason(error)}`, {}, `check that you can write to ${dirname(file)}`);
      }
    }
    const held = readLock(file);
    const elsewhere = held && held.host !== '' && held.host !== mine.host;
    if (held && (elsewhere || isRunning(held.pid))) {
      throw new StatpressError(
        'output',
        `another statpress build (process ${held.pid}${elsewhere ? ` on ${held.host}` : ''}, started ${held.started}) is writing to ${target}`,
        {},
        `wait for it to finish and build again; if no such build is running, delete ${file}`,
      );
    }
    // Left by a build that was killed (or half written by one starting now: then try again).
    if (!held && attempt === 0) continue;
    rmSync(file, { force: true });
  }
  throw new StatpressError('output', `could not take the lock ${file}: another build keeps taking it`, {}, 'wait for the other build to finish');
}

function releaseLock(file: string): void {
  if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
}

/** Names of the folders a build keeps beside OUT, and the process that made each. */
function sideName(base: string, name: string): { kind: 'tmp' | 'old' | 'v' | 'link'; pid: number } | undefined {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\.?${escaped}\\.(tmp|old|v|link)-(\\d+)(?:-[a-z0-9]+)?$`).exec(name);
  return match ? { kind: match[1] as 'tmp' | 'old' | 'v' | 'link', pid: Number(match[2]) } : undefined;
}

/** Where the link OUT points, as a name in the same folder, if it is one of ours. */
function linkTarget(target: string): string | undefined {
  try {
    if (!lstatSync(target).isSymbolicLink()) return undefined;
    const to = readlinkSync(target);
    return dirname(resolve(dirname(target), to)) === dirname(target) ? basename(to) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes what killed builds left beside OUT (run while holding the lock): their temporary
 * folders, folders no link points to, and, if OUT itself is missing because a build was killed
 * between moving the old release aside and putting the new one in place, puts the old one back.
 */
export function cleanStale(target: string): void {
  const parent = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  const current = linkTarget(target);
  const missing = !existsSync(target) && !isLink(target);
  for (const name of names.sort()) {
    const side = sideName(base, name);
    if (!side || name === current) continue;
    // Folders of a build that is still running are its own business (an older statpress takes no lock).
    if (side.kind !== 'v' && (side.pid === process.pid || isRunning(side.pid))) continue;
    const path = join(parent, name);
    if (side.kind === 'old' && missing) {
      try {
        renameSync(path, target);
        continue;
      } catch {
        // could not put it back: leave it for a person to look at
        continue;
      }
    }
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // not ours to remove after all, or not removable: left alone
    }
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Refuses an output place that must not be replaced: a file, a folder of other things, a folder holding inputs. */
function checkTarget(target: string, options: OutputOptions): void {
  if (dirname(target) === target) throw new StatpressError('output', `the output folder cannot be the root of the file system (${target})`, {}, 'choose a folder with --out');
  for (const input of options.inputs ?? []) {
    if (isInside(resolve(input), target)) {
      throw new StatpressError('output', `the output folder ${target} holds an input of the release (${input}), which a build would delete`, {}, 'choose another folder with --out');
    }
  }
  let info;
  try {
    info = statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StatpressError('output', `cannot use ${target} as the output folder: ${reason(error)}`);
  }
  if (!info.isDirectory()) {
    throw new StatpressError('output', `${target} is a file, not a folder: a build writes a whole folder there`, {}, 'choose a folder with --out; it is made if it does not exist');
  }
  if (options.force) return;
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (error) {
    throw new StatpressError('output', `cannot read the output folder ${target}: ${reason(error)}`);
  }
  if (entries.length === 0 || entries.includes('manifest.json')) return;
  throw new StatpressError(
    'output',
    `${target} exists and is not a statpress output (it has no manifest.json); a build replaces the whole folder, so it is left alone`,
    {},
    'choose another folder with --out, or add --force to replace it and everything in it',
  );
}

let serial = 0;

/**
 * Opens the output folder for a build: checks the place, cleans up after killed builds, takes
 * the lock and makes the folder the outputs are written to. Nothing is replaced until `commit`.
 */
export function openOutputFolder(outDir: string, options: OutputOptions = {}): OutputSink {
  const target = resolve(outDir);
  const parent = dirname(target);
  const base = basename(target);
  checkTarget(target, options);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new StatpressError('output', `could not make the folder ${parent}: ${reason(error)}`);
  }
  const lock = join(parent, `${base}.lock`);
  takeLock(lock, target);
  const staging = join(parent, `.${base}.tmp-${process.pid}`);
  const linkTmp = join(parent, `.${base}.link-${process.pid}`);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unregister();
    rmSync(staging, { recursive: true, force: true });
    rmSync(linkTmp, { force: true });
    releaseLock(lock);
  };
  const unregister = onShutdown(close);
  try {
    cleanStale(target);
    // Checked again under the lock: another build may have changed it meanwhile.
    checkTarget(target, options);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
  } catch (error) {
    close();
    if (error instanceof StatpressError) throw error;
    throw new StatpressError('output', `could not make the folder for the new outputs (${staging}): ${reason(error)}`);
  }
  const written = new Set<string>();
  return {
    async write(name, content) {
      if (closed) throw new StatpressError('output', `the output folder ${target} is closed`);
      if (isAbsolute(name) || name.split(/[\\/]/).some((part) => part === '..' || part === '')) throw new StatpressError('output', `not an output name: ${name}`);
      const path = join(staging, name);
      try {
        mkdirSync(dirname(path), { recursive: true });
        const record = await writeFile(path, content);
        written.add(name);
        return record;
      } catch (error) {
        if (error instanceof StatpressError) throw error;
        throw new StatpressError('output', `could not write ${name}: ${reason(error)}`, { file: path });
      }
    },
    commit() {
      if (closed) throw new StatpressError('output', `the output folder ${target} is closed`);
      try {
        swapIn(target, staging, linkTmp);
      } catch (error) {
        throw new StatpressError('output', `could not put the new release in place at ${target}: ${reason(error)}`, {}, 'the previous release is still there; check that you can write to its folder');
      } finally {
        close();
      }
    },
    close,
  };
}

async function writeFile(path: string, content: OutputContent): Promise<OutputRecord> {
  const hash = createHash('sha256');
  if (!isStreamed(content)) {
    writeFileSync(path, content);
    hash.update(content);
    return { sha256: hash.digest('hex'), bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength };
  }
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    for await (const chunk of content.chunks()) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      hash.update(data);
      let offset = 0;
      while (offset < data.byteLength) offset += writeSync(fd, data, offset, data.byteLength - offset);
      bytes += data.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Puts the written folder in place under the name OUT (see the top of this file). */
function swapIn(target: string, staging: string, linkTmp: string): void {
  const parent = dirname(target);
  const base = basename(target);
  const live = join(parent, `.${base}.v-${process.pid}-${(serial++).toString(36)}${Date.now().toString(36)}`);
  let linked = true;
  try {
    rmSync(linkTmp, { force: true });
    symlinkSync(basename(live), linkTmp, 'dir');
  } catch {
    linked = false;
  }
  renameSync(staging, live);
  if (!linked) {
    // No links here: the old folder goes aside and the new one takes its name.
    const aside = join(parent, `.${base}.old-${process.pid}`);
    const old = existsSync(target) || isLink(target);
    if (old) renameSync(target, aside);
    renameSync(live, target);
    if (old) rmSync(aside, { recursive: true, force: true });
    return;
  }
  const realFolder = !isLink(target) && existsSync(target);
  if (realFolder) {
    // A folder made by an older statpress, or by hand with --force: the one moment without OUT,
    // which the next build repairs if this process dies in it.
    const aside = join(parent, `.${base}.old-${process.pid}`);
    renameSync(target, aside);
    renameSync(linkTmp, target);
    rmQuietly(aside);
  } else {
    renameSync(linkTmp, target);
  }
  // The release just replaced stays until the next build into this place removes it: a reader
  // that followed the link a moment before the swap still finds every file it was opening.
}

/** Removes a folder that is no longer the release; one that cannot be removed is left for the next build. */
function rmQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // cleaned up by the next build into this place
  }
}
