/** `statpress build --profile` and `--trace FILE`: a table of the stages and a Chrome trace of them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { RELEASE_2025, tempDir } from '../support.js';

describe('statpress build --profile --trace', () => {
  it('prints every stage with its wall and CPU time, and writes them as trace events', async () => {
    const dir = tempDir();
    const trace = join(dir, 'trace.json');
    let err = '';
    const started = performance.now();
    const code = await runCli(['build', RELEASE_2025, '--out', join(dir, 'out'), '--formats', 'html', '--quick', '--quiet', '--profile', '--trace', trace], { out: () => {}, err: (t) => (err += t) });
    const took = performance.now() - started;
    expect(code).toBe(0);
    // The stages an HTML draft runs, each on a line with its start, wall and CPU time.
    for (const stage of ['config', 'load', 'compute', 'templates', 'narrate', 'check', 'charts', 'html', 'write']) {
      expect(err).toMatch(new RegExp(`^${stage} +\\d+ ms +\\d+ ms +\\d+ ms$`, 'm'));
    }
    expect(err).toMatch(/^start-up \(node \+ imports\) /m);
    const { traceEvents } = JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: Array<{ name: string; ph: string; ts: number; dur: number; pid: number }> };
    const spans = traceEvents.filter((e) => e.ph === 'X');
    expect(spans.map((e) => e.name)).toEqual(expect.arrayContaining(['load', 'narrate', 'html']));
    for (const e of spans) {
      expect(e.pid).toBe(process.pid);
      expect(e.dur).toBeGreaterThanOrEqual(0);
    }
    // The stages lie within the command, which this test timed from outside (µs in the trace).
    const stages = spans.filter((e) => e.name !== 'start-up (node + imports)');
    const first = Math.min(...stages.map((e) => e.ts));
    const last = Math.max(...stages.map((e) => e.ts + e.dur));
    expect((last - first) / 1000).toBeLessThanOrEqual(took + 1);
    // No browser for a --quick HTML draft: no Chromium launch among the steps.
    expect(spans.some((e) => e.name === 'chromium launch')).toBe(false);
  }, 120_000);
});
