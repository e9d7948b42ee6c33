/**
 * The pipeline: stages run once and again only when an input they depend on changed; the
 * stages that compute, narrate and render touch no files; the loaded config is never changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects, type Effects } from '../../src/platform/effects.js';
import { RELEASE_2025, ROOT } from '../support.js';

function counted(): { effects: Effects; started: string[]; reads: Map<string, number> } {
  const base = nodeEffects({ storeDir: false });
  const started: string[] = [];
  const reads = new Map<string, number>();
  const count = (file: string) => reads.set(file, (reads.get(file) ?? 0) + 1);
  const effects: Effects = {
    ...base,
    readBytes: (file) => (count(file), base.readBytes(file)),
    readText: (file) => (count(file), base.readText(file)),
    progress: (event) => {
      if (event.phase === 'start') started.push(event.stage);
    },
  };
  return { effects, started, reads };
}

describe('memoised stages', () => {
  it('runs each stage once, and after a change only what the changed file invalidates', async () => {
    const { effects, started, reads } = counted();
    const p = new Pipeline({ configFile: RELEASE_2025 }, effects);
    p.document();
    expect(started).toEqual(['config', 'load', 'compute', 'templates', 'narrate']);
    // Every input read once: the config files, the data files and the templates.
    expect(reads.size).toBeGreaterThan(5);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    const dataFiles = [p.config().register.authorities.file, ...p.config().sources.map((s) => s.file)];
    expect(dataFiles.every((f) => reads.get(f) === 1)).toBe(true);
    p.document();
    p.checks();
    await p.assets({ png: false });
    expect(started.splice(0)).toEqual(['config', 'load', 'compute', 'templates', 'narrate', 'check', 'specs', 'charts']);

    const config = p.config();
    const before = JSON.stringify(config);
    // A drawing with its PNG is made once; a request without one reuses it, not the reverse.
    await p.assets();
    await p.assets({ png: false });
    expect(started.splice(0)).toEqual(['charts']);

    // A template: narrated again, data not read again.
    const template = join(config.templateDir, 'key-messages.md.hbs');
    expect([...p.invalidate([template])].sort()).toEqual(['assets', 'checks', 'document', 'queries', 'specs', 'templates']);
    p.checks();
    expect(started.splice(0)).toEqual(['templates', 'narrate', 'check']);
    expect(dataFiles.every((f) => reads.get(f) === 1)).toBe(true);

    // A data file: loaded and computed again, templates kept.
    const data = config.sources[0]!.file;
    expect([...p.invalidate([data])].sort()).toEqual(['assets', 'checks', 'database', 'dataset', 'document', 'model', 'queries']);
    p.checks();
    expect(started.splice(0)).toEqual(['load', 'compute', 'narrate', 'check']);

    // A chart spec: only the charts.
    const spec = join(config.templateDir, 'charts/stacked-bar.vl.json');
    expect([...p.invalidate([spec])].sort()).toEqual(['assets', 'specs']);
    p.checks();
    await p.assets({ png: false });
    expect(started.splice(0)).toEqual(['specs', 'charts']);

    // The release config: everything.
    expect([...p.invalidate([RELEASE_2025])].sort()).toEqual(['assets', 'checks', 'config', 'database', 'dataset', 'document', 'model', 'queries', 'specs', 'templates']);

    // Nothing the stages did changed the config they were given.
    expect(JSON.stringify(config)).toBe(before);
  });
});

describe('pure stages', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it('compute, narrate and render read and write no files', () => {
    const offenders: string[] = [];
    for (const dir of ['src/compute', 'src/narrate', 'src/render']) {
      for (const file of files(join(ROOT, dir))) {
        const code = readFileSync(file, 'utf8');
        if (/from '(node:)?(fs|fs\/promises|child_process)'|readFileSync|writeFileSync/.test(code)) offenders.push(file.slice(ROOT.length + 1));
      }
    }
    expect(offenders).toEqual([]);
  });
});
