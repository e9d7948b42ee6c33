/**
 * Benchmarks: prints timings, asserts nothing. `npm run bench` (compiles first).
 * Each figure is the median of several runs on this machine; targets are from the issues.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocument } from '../src/build.js';
import { computeSnapshot } from '../src/compute.js';
import { loadReleaseConfig } from '../src/config.js';
import { loadDataset } from '../src/load.js';
import { renderHtml } from '../src/render/html.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const release = join(root, 'releases/ofsted-2025.yaml');
const bin = join(root, 'dist/src/bin.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
function measure(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

const rows: Array<[string, number, string]> = [];
const out = mkdtempSync(join(tmpdir(), 'statpress-bench-'));

rows.push(['HTML build, cold process (node start to exit)', measure(5, () => {
  execFileSync(process.execPath, [bin, 'build', release, '--out', join(out, 'html'), '--formats', 'html'], { stdio: 'ignore' });
}), '≤ 500 ms']);

const config = loadReleaseConfig(release);
const dataset = loadDataset(config);
rows.push(['load config + data (warm)', measure(20, () => loadDataset(loadReleaseConfig(release))), '']);
rows.push(['snapshot as at 31 March 2025 (warm)', measure(200, () => computeSnapshot(dataset, config.period.asAt, config.period.publishedBy)), '≤ 5 ms']);
const built = buildDocument({ configFile: release });
for (const [stage, ms] of Object.entries(built.timings)) rows.push([`stage ${stage} (first run in process)`, ms, '']);
rows.push(['whole document, warm (load → narrate → validate)', measure(10, () => buildDocument({ configFile: release })), '']);
rows.push(['render HTML from the tree (warm)', measure(20, () => renderHtml(built.document)), '']);

const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`statpress benchmark (${process.version}, median of runs)\n`);
for (const [name, ms, target] of rows) {
  process.stdout.write(`  ${name.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms  ${target}\n`);
}
