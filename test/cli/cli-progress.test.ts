/**
 * The CLI hands its progress reporter to the pipeline: a stage the pipeline reports as still
 * running after a second prints a line on stderr, unless --quiet. The pipeline is replaced by
 * one slow stage (then a located error, so nothing else of a build is needed).
 */
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';

const stage = vi.hoisted(() => ({ ms: 0, seen: [] as string[] }));

vi.mock('../../src/pipeline/build.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/pipeline/build.js')>();
  const { StatpressError } = await import('../../src/core/errors.js');
  const slow = async (options: { progress?: (event: { stage: string; phase: 'start' | 'end' }) => void }): Promise<never> => {
    stage.seen.push(typeof options.progress);
    options.progress?.({ stage: 'charts', phase: 'start' });
    await new Promise((resolve) => setTimeout(resolve, stage.ms));
    options.progress?.({ stage: 'charts', phase: 'end' });
    throw new StatpressError('output', 'stopped by the test');
  };
  return { ...actual, buildRelease: vi.fn(slow), checkRelease: vi.fn(slow) };
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('progress on the command line', () => {
  it('says what a stage still running after a second is doing, on stderr', async () => {
    stage.ms = 1300;
    for (const command of ['build', 'check']) {
      const result = await run(command, 'release.yaml');
      expect(result.code, command).toBe(1);
      expect(result.out, command).toBe('');
      expect(result.err, command).toBe('statpress: drawing the charts…\nstatpress: error: stopped by the test\n');
    }
    expect(stage.seen).toEqual(['function', 'function']);
  });

  it('says nothing for a fast stage, or with --quiet', async () => {
    stage.ms = 200;
    expect((await run('build', 'release.yaml')).err).toBe('statpress: error: stopped by the test\n');
    stage.ms = 1300;
    expect((await run('build', 'release.yaml', '--quiet')).err).toBe('statpress: error: stopped by the test\n');
    expect((await run('check', 'release.yaml', '--quiet')).err).toBe('statpress: error: stopped by the test\n');
  });
});
