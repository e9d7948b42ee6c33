/**
 * A store for things statpress derives and may reuse: drawn charts, compiled templates. An
 * entry is a set of named parts under a key (a hash of everything that decides the entry), in
 * a namespace. Stages never touch the disk for this: they are handed a `Store`.
 *
 * `memoryStore` keeps entries for the life of one effects object (a preview session, a bench
 * run); `diskStore` keeps them between processes in a folder, each namespace pruned to its most
 * recently used entries. A disk entry carries the SHA-256 of each part and of its key, checked
 * on every read, so a damaged or tampered entry is discarded and the entry made again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Parts = Record<string, Uint8Array>;

export interface Store {
  get(namespace: string, key: string): Parts | undefined;
  /** Keeps an entry; a store that cannot keep it (read-only disk) only loses the reuse. */
  set(namespace: string, key: string, parts: Parts): void;
}

/** How many entries each namespace of a disk store keeps (e.g. every figure of a few dozen drafts). */
export const STORE_LIMITS: Record<string, number> = { charts: 200, templates: 400 };
const DEFAULT_LIMIT = 200;

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const SAFE = /^[a-z0-9-]+$/;

/** Entries kept in memory, most recently used last; at most `limit` per namespace. */
export function memoryStore(limit = 64): Store {
  const spaces = new Map<string, Map<string, Parts>>();
  return {
    get(namespace, key) {
      const space = spaces.get(namespace);
      const parts = space?.get(key);
      if (space && parts) {
        space.delete(key);
        space.set(key, parts);
      }
      return parts;
    },
    set(namespace, key, parts) {
      let space = spaces.get(namespace);
      if (!space) spaces.set(namespace, (space = new Map()));
      space.delete(key);
      space.set(key, parts);
      while (space.size > limit) space.delete(space.keys().next().value!);
    },
  };
}

/**
 * Entries in `dir/<namespace>/`: `<key>.<part>` files and `<key>.json` listing each part with
 * its SHA-256. Reading checks the list and every hash; any mismatch discards the entry.
 */
export function diskStore(dir: string): Store {
  return {
    get(namespace, key) {
      if (!SAFE.test(namespace) || !SAFE.test(key)) return undefined;
      const folder = join(dir, namespace);
      try {
        const index = JSON.parse(readFileSync(join(folder, `${key}.json`), 'utf8')) as { key?: unknown; parts?: Record<string, unknown> };
        if (index.key !== key || !index.parts || typeof index.parts !== 'object') throw new Error('bad index');
        const parts: Parts = {};
        for (const [name, hash] of Object.entries(index.parts)) {
          if (!SAFE.test(name) || typeof hash !== 'string') throw new Error('bad part');
          const bytes = new Uint8Array(readFileSync(join(folder, `${key}.${name}`)));
          if (sha256(bytes) !== hash) throw new Error('damaged part');
          parts[name] = bytes;
        }
        // Used again: kept longest when the namespace is pruned.
        const now = new Date();
        utimesSync(join(folder, `${key}.json`), now, now);
        return parts;
      } catch {
        discard(folder, key);
        return undefined;
      }
    },
    set(namespace, key, parts) {
      if (!SAFE.test(namespace) || !SAFE.test(key) || Object.keys(parts).some((name) => !SAFE.test(name))) return;
      const folder = join(dir, namespace);
      try {
        mkdirSync(folder, { recursive: true });
        const put = (name: string, data: string | Uint8Array) => {
          const temporary = join(folder, `.${name}.${process.pid}`);
          writeFileSync(temporary, data);
          renameSync(temporary, join(folder, name));
        };
        const index: Record<string, string> = {};
        for (const [name, bytes] of Object.entries(parts)) {
          put(`${key}.${name}`, bytes);
          index[name] = sha256(bytes);
        }
        // The index last: an entry is visible only once all its parts are written.
        put(`${key}.json`, JSON.stringify({ key, parts: index }));
        prune(folder, STORE_LIMITS[namespace] ?? DEFAULT_LIMIT);
      } catch {
        // Read-only installation or full disk: carry on without keeping it.
      }
    },
  };
}

function discard(folder: string, key: string): void {
  try {
    for (const file of readdirSync(folder)) if (file.startsWith(`${key}.`)) rmSync(join(folder, file), { force: true });
  } catch {
    // nothing to discard
  }
}

/** Forgets the least recently used entries once a namespace holds more than it keeps. */
function prune(folder: string, limit: number): void {
  const entries = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ key: f.slice(0, -'.json'.length), time: statSync(join(folder, f)).mtimeMs }));
  if (entries.length <= limit) return;
  entries.sort((a, b) => a.time - b.time);
  for (const { key } of entries.slice(0, entries.length - limit)) discard(folder, key);
}

/** A memory layer in front of another store: what is read or written once is not read from disk again. */
export function layeredStore(inner: Store | undefined, memory: Store = memoryStore()): Store {
  return {
    get(namespace, key) {
      const hit = memory.get(namespace, key);
      if (hit) return hit;
      const found = inner?.get(namespace, key);
      if (found) memory.set(namespace, key, found);
      return found;
    },
    set(namespace, key, parts) {
      memory.set(namespace, key, parts);
      inner?.set(namespace, key, parts);
    },
  };
}

export const text = (bytes: Uint8Array | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
export const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));
