/**
 * Global setup of the format tests (and of the interop tier): builds the 2025 release once, in
 * every format and with every gate, into a temporary folder, and hands its path to the test
 * files (`inject('release2025')`; `await sharedRelease()` in ../support.ts reads it). Test files
 * that need a variant of the release still build their own.
 *
 * The build runs in vitest's main process while the first tests run in the workers (the CLI
 * and unit tests start first, see vitest.config.ts), so on a small machine its time is mostly
 * hidden. When it ends it writes `ready.json` beside the release: what the test files wait for.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildRelease, FORMATS } from '../../src/pipeline/build.js';
import { StatpressError } from '../../src/core/errors.js';
import type { GateResult } from '../../src/quality/gates/document-gates.js';

/** Where the shared build is, given to the test files. */
export interface SharedBuildPlace {
  /** The folder the release is written to: every file a build writes. */
  dir: string;
  /** Written once the build has ended: a `SharedBuildOutcome`. */
  ready: string;
}

/** What `ready.json` holds. */
export type SharedBuildOutcome =
  | {
      /** Where the browser that printed the PDF came from (`env`, `system` or `npm`). */
      browser: string | null;
      /** Every gate that ran, with its findings (collected: a failing gate is a failing test, not a setup error). */
      gates: GateResult[];
      /** How long the build took, in seconds. */
      seconds: number;
    }
  | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    release2025: SharedBuildPlace;
  }
}

const RELEASE_2025 = resolve(dirname(fileURLToPath(import.meta.url)), '../../releases/ofsted-2025.yaml');

export default function setup(project: TestProject): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'statpress-shared-'));
  const place: SharedBuildPlace = { dir: join(root, 'release'), ready: join(root, 'ready.json') };
  const finish = (outcome: SharedBuildOutcome) => {
    // Written whole, then renamed, so a test never reads half of it.
    writeFileSync(`${place.ready}.tmp`, JSON.stringify(outcome));
    renameSync(`${place.ready}.tmp`, place.ready);
  };
  const start = performance.now();
  const building = buildRelease({ configFile: RELEASE_2025, outDir: place.dir, formats: FORMATS, collectGates: true }).then(
    (result) =>
      finish({
        browser: result.browser ?? null,
        gates: result.gates.map((g) => ({ gate: g.gate, guarantees: g.guarantees, findings: g.findings.map((f) => ({ ...f })) })),
        seconds: (performance.now() - start) / 1000,
      }),
    (error: unknown) => finish({ error: error instanceof StatpressError ? error.describe() : String((error as Error)?.stack ?? error) }),
  );
  project.provide('release2025', place);
  return async () => {
    await building;
    rmSync(root, { recursive: true, force: true });
  };
}
