/**
 * A release lists its documents: ids are unique and name files, exactly one is the main findings,
 * each other one has its own template set and title; a document whose template set cannot be
 * read stops the build with the file named.
 */
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { refusalOf, RELEASE_2025, releaseVariant } from '../support.js';

/** A variant of the 2025 config whose document template paths still point at the real folders. */
function withDocuments(edit: (documents: Array<Record<string, string>>) => void): string {
  return releaseVariant((c) => {
    for (const d of c.documents) if (d.templates) d.templates = resolve(dirname(RELEASE_2025), d.templates);
    edit(c.documents);
  });
}

describe('the documents of a release', () => {
  it('are read in order, the main findings first', () => {
    const config = loadReleaseConfig(RELEASE_2025);
    expect(config.documents.map((d) => [d.id, d.main])).toEqual([['main-findings', true], ['methodology', false], ['pre-release-access-list', false]]);
  });

  it('refuses an id listed twice, and a list without a main document', () => {
    const twice = refusalOf(() => loadReleaseConfig(withDocuments((docs) => { docs[2]!.id = 'methodology'; })));
    expect(twice.describe()).toMatch(/setting "documents\[2\]\.id".*"methodology" is listed twice/);
    const noMain = refusalOf(() => loadReleaseConfig(withDocuments((docs) => { docs.shift(); })));
    expect(noMain.describe()).toMatch(/no document is the main findings/);
  });

  it('stops the build when a listed document cannot be made, naming its template set', () => {
    const file = withDocuments((docs) => { docs[1]!.templates = '/nonexistent/methodology-templates'; });
    const pipeline = new Pipeline({ configFile: file }, nodeEffects({ storeDir: false }));
    const error = refusalOf(() => pipeline.document('methodology'));
    expect(error.describe()).toContain('/nonexistent/methodology-templates');
  });
});
