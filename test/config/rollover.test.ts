/**
 * `statpress next` keeps the release config's comments, the schema line for editors first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rollReleaseConfig } from '../../src/config/rollover.js';
import { RELEASE_2025 } from '../support.js';

describe('the next release config', () => {
  it('keeps the yaml-language-server line first, and the other comments', () => {
    const original = readFileSync(RELEASE_2025, 'utf8');
    const next = rollReleaseConfig(RELEASE_2025).yaml;
    const first = original.split('\n')[0]!;
    expect(first).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/release\.schema\.json$/);
    expect(next.split('\n')[0]).toBe(first);
    for (const comment of original.split('\n').filter((line) => /^#/.test(line))) expect(next).toContain(comment);
    expect(next).toMatch(/asAt: 2025-06-30/);
  });
});
