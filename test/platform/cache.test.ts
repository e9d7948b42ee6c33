/** The store of reusable drawings and compiled templates: kept, verified, pruned. */
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, diskStore, layeredStore, memoryStore, STORE_LIMITS, text } from '../../src/platform/cache.js';
import { tempDir } from '../support.js';

describe('disk store', () => {
  it('gives back what was kept, in another store on the same folder', () => {
    const dir = tempDir();
    diskStore(dir).set('charts', 'abc123', { svg: bytes('<svg/>'), meta: bytes('{}') });
    const parts = diskStore(dir).get('charts', 'abc123')!;
    expect(text(parts.svg)).toBe('<svg/>');
    expect(text(parts.meta)).toBe('{}');
    expect(diskStore(dir).get('charts', 'other')).toBeUndefined();
    expect(diskStore(dir).get('templates', 'abc123')).toBeUndefined();
  });

  it('discards an entry whose part changed, or whose index is damaged or names another key', () => {
    const dir = tempDir();
    const store = diskStore(dir);
    store.set('charts', 'k1', { svg: bytes('<svg>one</svg>') });
    writeFileSync(join(dir, 'charts', 'k1.svg'), '<svg>two</svg>');
    expect(store.get('charts', 'k1')).toBeUndefined();
    expect(readdirSync(join(dir, 'charts')).filter((f) => f.startsWith('k1.'))).toEqual([]);

    store.set('charts', 'k2', { svg: bytes('<svg/>') });
    writeFileSync(join(dir, 'charts', 'k2.json'), '{"key":');
    expect(store.get('charts', 'k2')).toBeUndefined();

    store.set('charts', 'k3', { svg: bytes('<svg/>') });
    const index = readFileSync(join(dir, 'charts', 'k3.json'), 'utf8');
    writeFileSync(join(dir, 'charts', 'k4.json'), index);
    writeFileSync(join(dir, 'charts', 'k4.svg'), '<svg/>');
    expect(store.get('charts', 'k4')).toBeUndefined();
  });

  it('refuses names that are not plain keys (no paths out of its folder)', () => {
    const dir = tempDir();
    const store = diskStore(dir);
    store.set('charts', '../escape', { svg: bytes('x') });
    store.set('../x', 'k', { svg: bytes('x') });
    expect(readdirSync(dir)).toEqual([]);
    expect(store.get('charts', '../escape')).toBeUndefined();
  });

  it('keeps the most recently used entries of a namespace and forgets the oldest', () => {
    const dir = tempDir();
    const store = diskStore(dir);
    const limit = STORE_LIMITS.charts!;
    const old = new Date('2020-01-01T00:00:00Z');
    for (let i = 0; i < limit; i++) {
      store.set('charts', `old${i}`, { svg: bytes(`<svg>${i}</svg>`) });
      utimesSync(join(dir, 'charts', `old${i}.json`), old, old);
    }
    // A read counts as a use: old0 is kept although it was written first.
    expect(store.get('charts', 'old0')).toBeDefined();
    store.set('charts', 'new', { svg: bytes('<svg/>') });
    const kept = readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.json'));
    expect(kept).toHaveLength(limit);
    expect(kept).toContain('new.json');
    expect(kept).toContain('old0.json');
    expect(readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.svg'))).toHaveLength(limit);
  });
});

describe('memory and layered stores', () => {
  it('a memory store forgets its oldest entry beyond its size', () => {
    const store = memoryStore(2);
    store.set('t', 'a', { x: bytes('a') });
    store.set('t', 'b', { x: bytes('b') });
    store.get('t', 'a');
    store.set('t', 'c', { x: bytes('c') });
    expect(store.get('t', 'b')).toBeUndefined();
    expect(text(store.get('t', 'a')!.x)).toBe('a');
  });

  it('a layered store reads through to disk once, then from memory', () => {
    const dir = tempDir();
    diskStore(dir).set('templates', 'k', { js: bytes('one') });
    const layered = layeredStore(diskStore(dir));
    expect(text(layered.get('templates', 'k')!.js)).toBe('one');
    writeFileSync(join(dir, 'templates', 'k.js'), 'two');
    expect(text(layered.get('templates', 'k')!.js)).toBe('one');
  });
});
