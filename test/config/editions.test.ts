/**
 * Release metadata belong to one edition: another as-at date takes its own (from `editions`),
 * derives them in a draft, or is refused; a context figure from a later edition is refused;
 * `statpress next` moves the next update on and leaves the old thanks behind.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadReleaseConfig } from '../../src/config/config.js';
import { rollReleaseConfig } from '../../src/config/rollover.js';
import { buildDocument } from '../../src/pipeline/build.js';
import { RELEASE_2025, refusalOf, releaseVariant } from '../support.js';

const written = parseYaml(readFileSync(RELEASE_2025, 'utf8')) as { meta: { published: string; nextUpdate: string; acknowledgements: string }; editions: Record<string, { published: string; nextUpdate: string }> };


describe('metadata per edition', () => {
  it('takes another edition\'s publication date, next update and thanks from editions', () => {
    const edition = written.editions['2024-03-31']!;
    const config = loadReleaseConfig(RELEASE_2025, { asAt: '2024-03-31' });
    expect(config.meta.published).toBe(edition.published);
    expect(config.meta.nextUpdate).toBe(edition.nextUpdate);
    expect(config.meta.acknowledgements).toBeUndefined();
    const { document } = buildDocument({ configFile: RELEASE_2025, asAt: '2024-03-31' });
    expect(document.meta.published.iso).toBe(edition.published);
    expect(JSON.stringify(document)).not.toContain(written.meta.acknowledgements);
  });

  it('refuses another date without them, naming where the metadata are and how to give them', () => {
    const error = refusalOf(() => loadReleaseConfig(RELEASE_2025, { asAt: '2024-06-30' }));
    const line = readFileSync(RELEASE_2025, 'utf8').split('\n').findIndex((l) => /^\s+published:/.test(l)) + 1;
    expect(error.describe()).toMatch(new RegExp(`line ${line}, .*belong to the edition as at 31 March 2025, not to the one as at 30 June 2024.*editions`));
  });

  it('derives them in a draft, moved on by as many months, without thanks', () => {
    const config = loadReleaseConfig(RELEASE_2025, { asAt: '2025-12-31', draft: true });
    const [y, m, d] = written.meta.published.split('-').map(Number) as [number, number, number];
    const moved = new Date(Date.UTC(y, m - 1 + 9, d)).toISOString().slice(0, 10);
    expect(config.meta.published).toBe(moved);
    const [month, year] = written.meta.nextUpdate.split(' ') as [string, string];
    const names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const index = names.indexOf(month) + 9;
    expect(config.meta.nextUpdate).toBe(`${names[index % 12]} ${Number(year) + Math.floor(index / 12)}`);
    expect(config.meta.acknowledgements).toBeUndefined();
  });

  it('refuses a context figure from an edition published after the release', () => {
    const variant = releaseVariant((c) => {
      c.meta.context.childrenInNeed.edition = '2025-10-30';
    });
    const error = refusalOf(() => buildDocument({ configFile: variant }));
    expect(error.describe()).toMatch(/setting "meta\.context\.childrenInNeed\.edition".*published 30 October 2025, after this release \(25 September 2025\)/);
  });

  it('statpress next moves the next update on and takes the old thanks out', () => {
    const next = rollReleaseConfig(RELEASE_2025, 12);
    const rolled = parseYaml(next.yaml) as typeof written;
    expect(rolled.meta.nextUpdate).toBe(written.meta.nextUpdate.replace(/\d{4}$/, (year) => String(Number(year) + 1)));
    expect(rolled.meta.acknowledgements).toBeUndefined();
    expect(next.acknowledgementsDropped).toBe(true);
  });
});
