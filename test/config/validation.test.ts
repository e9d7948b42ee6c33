/**
 * Config files are checked by one validator: every problem names the file, the line and column
 * of the offending key or value, and the path of the setting. Expected places are found here in
 * the YAML text each test writes, not typed in.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { loadTemplateSet } from '../../src/config/template-set.js';
import { StatpressError } from '../../src/core/errors.js';
import { RELEASE_2025, ROOT, tempDir } from '../support.js';

const RELEASE_TEXT = readFileSync(RELEASE_2025, 'utf8');

/** Line and column (1-based) where `needle` first occurs in `text` (after `after`, if given). */
function place(text: string, needle: string, after = ''): { line: number; col: number } {
  const index = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (index < 0 || (after && text.indexOf(after) < 0)) throw new Error(`test text has no ${JSON.stringify(needle)}`);
  return { line: text.slice(0, index).split('\n').length, col: index - text.lastIndexOf('\n', index - 1) };
}

/** Replaces one exact piece of text, failing if it is not there (so a test cannot pass vacuously). */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test text has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/**
 * Writes the 2025 release config, edited as text (comments and layout kept), to a temp folder;
 * its relative paths are made absolute so the framework, layouts and data still resolve.
 */
function releaseText(change: (text: string) => string): { file: string; text: string } {
  const absolute = RELEASE_TEXT.replace(/^(\s*(?:- )?(?:templates|framework|dataRoot|layout): )(\.\.\/\S+)$/gm, (_, head: string, path: string) => head + resolve(dirname(RELEASE_2025), path));
  const text = change(absolute);
  const file = join(tempDir(), 'release.yaml');
  writeFileSync(file, text);
  return { file, text };
}

function errorOf(fn: () => unknown): StatpressError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected an error');
}

describe('a release config', () => {
  it('as written in the repository loads, with its paths made absolute here', () => {
    const { file } = releaseText((t) => t);
    expect(loadReleaseConfig(file).meta.published).toBe(loadReleaseConfig(RELEASE_2025).meta.published);
  });

  it('with a YAML syntax error names its line and column', () => {
    const { file, text } = releaseText((t) => edit(t, '  inYearMonths: 12\n', '  inYearMonths: 12: 13\n'));
    const error = errorOf(() => loadReleaseConfig(file));
    const at = place(text, '12: 13');
    expect(error.location).toMatchObject({ file, ...at });
    expect(error.describe()).toContain(`release.yaml, line ${at.line}, column ${at.col}: not valid YAML`);
    // A key written twice is a syntax error too, placed at the second one.
    const twice = releaseText((t) => edit(t, '  coverage: England\n', '  coverage: England\n  coverage: Wales\n'));
    expect(errorOf(() => loadReleaseConfig(twice.file)).location).toMatchObject(place(twice.text, 'coverage: Wales'));
  });

  it('with an unknown key names its line and column and the nearest known key', () => {
    const { file, text } = releaseText((t) => edit(t, '  publicationLagMonths: 3', '  publicationLagMonth: 3'));
    const error = errorOf(() => loadReleaseConfig(file));
    const at = place(text, 'publicationLagMonth:');
    expect(error.location).toMatchObject({ file, ...at, setting: 'period.publicationLagMonth' });
    expect(error.describe()).toBe(`${file}, line ${at.line}, column ${at.col}, setting "period.publicationLagMonth": unknown setting "publicationLagMonth" (did you mean "publicationLagMonths"?)`);
    // With nothing near, the settings that may be there are listed.
    const far = releaseText((t) => edit(t, '  inYearMonths: 12\n', '  inYearMonths: 12\n  frobnicate: true\n'));
    const farError = errorOf(() => loadReleaseConfig(far.file));
    expect(farError.location).toMatchObject(place(far.text, 'frobnicate'));
    expect(farError.hint).toBe('the settings here are: asAt, publishedBy, publicationLagMonths, inYearMonths, comparisonYearsBack, movementBase, windows');
  });

  it('lists every problem at once, each with its place, in the order of the file', () => {
    const { text, file } = releaseText((t) => edit(edit(t, '  publicationLagMonths: 3', '  publicationLagMonth: 3'), '    take: [focused, monitoring]\n    between', '    takes: [focused, monitoring]\n    between'));
    const message = errorOf(() => loadReleaseConfig(file)).message;
    expect(message).toMatch(/^2 problems in the input/);
    const lag = place(text, 'publicationLagMonth:');
    const takes = place(text, 'takes:');
    expect(message).toContain(`line ${lag.line}, column ${lag.col}, setting "period.publicationLagMonth"`);
    expect(message).toContain(`line ${takes.line}, column ${takes.col}, setting "sources[2].takes": unknown setting "takes" (did you mean "take"?)`);
    expect(message.indexOf('publicationLagMonth"')).toBeLessThan(message.indexOf('takes"'));
  });

  it('with a value of the wrong type places the value', () => {
    const { file, text } = releaseText((t) => edit(t, 'inYearMonths: 12', 'inYearMonths: twelve'));
    const error = errorOf(() => loadReleaseConfig(file));
    expect(error.location).toMatchObject({ file, ...place(text, 'twelve'), setting: 'period.inYearMonths', value: 'twelve' });
    expect(error.message).toMatch(/^expected a whole number/);
    // A list item, and a mapping written as a single value.
    const item = releaseText((t) => edit(t, 'comparisonYearsBack: [1, 2, 3]', 'comparisonYearsBack: [1, two, 3]'));
    expect(errorOf(() => loadReleaseConfig(item.file)).location).toMatchObject({ ...place(item.text, 'two, 3'), setting: 'period.comparisonYearsBack[1]' });
    const licence = releaseText((t) => t.replace(/  licence:\n(    .*\n)+/, '  licence: OGL\n'));
    const licenceError = errorOf(() => loadReleaseConfig(licence.file));
    expect(licenceError.location).toMatchObject({ ...place(licence.text, 'OGL'), setting: 'meta.licence', value: 'OGL' });
    expect(licenceError.message).toBe('expected a mapping');
    // A date that is not a real date.
    const date = releaseText((t) => edit(t, 'asAt: 2025-03-31', 'asAt: 2025-02-30'));
    expect(errorOf(() => loadReleaseConfig(date.file)).describe()).toContain(`line ${place(date.text, '2025-02-30').line}, column ${place(date.text, '2025-02-30').col}, setting "period.asAt", value "2025-02-30": expected a date written YYYY-MM-DD`);
  });

  it('missing a required setting is placed at the mapping that should hold it', () => {
    const { file, text } = releaseText((t) => edit(t, '  coverage: England\n', ''));
    const error = errorOf(() => loadReleaseConfig(file));
    expect(error.location).toMatchObject({ file, ...place(text, 'meta:'), setting: 'meta.coverage', value: '(missing)' });
    expect(error.message).toBe('expected a non-empty string');
  });

  it('missing a required setting that was misspelt points at what was written instead', () => {
    const { file, text } = releaseText((t) => edit(t, '  title: "Main', '  titel: "Main'));
    const error = errorOf(() => loadReleaseConfig(file));
    // One problem, not two: the misspelt key is not also reported as unknown.
    expect(error.message).not.toMatch(/problems/);
    expect(error.location).toMatchObject({ file, ...place(text, 'titel:'), setting: 'meta.title', value: '(missing)' });
    expect(error.hint).toBe('found "titel": is it misspelt?');
  });

  it('published before its cut-off is placed at the publication date', () => {
    const { file, text } = releaseText((t) => edit(t, 'published: 2025-09-25', 'published: 2025-05-01'));
    const error = errorOf(() => loadReleaseConfig(file));
    expect(error.code).toBe('date-order');
    expect(error.location).toMatchObject({ file, ...place(text, '2025-05-01'), setting: 'meta.published' });
  });

  it('taking an event type the framework does not have places the id', () => {
    const { file, text } = releaseText((t) => edit(t, 'take: [standard, short]', 'take: [standard, shrt]'));
    const error = errorOf(() => loadReleaseConfig(file));
    expect(error.location).toMatchObject({ ...place(text, 'shrt'), setting: 'sources[0].take[1]', value: 'shrt' });
    expect(error.hint).toBe('did you mean "short"?');
  });
});

describe('frameworks, layouts and template sets', () => {
  /** A copy of a repository file, edited, with the 2025 release pointed at it. */
  function withCopy(key: 'framework' | 'layout', source: string, change: (text: string) => string): { file: string; text: string; release: string } {
    const dir = tempDir();
    const text = change(readFileSync(join(ROOT, source), 'utf8'));
    const file = join(dir, source.split('/').pop()!);
    writeFileSync(file, text);
    const release = releaseText((t) => (key === 'framework' ? t.replace(/^framework: .*$/m, `framework: ${file}`) : t.split(resolve(ROOT, source)).join(file))).file;
    return { file, text, release };
  }

  it('a framework: unknown key, and a classification naming a grade it does not have', () => {
    const typo = withCopy('framework', 'frameworks/ilacs-2018.yaml', (t) => edit(t, '    goodOrBetter: true', '    goodOrBeter: true'));
    const error = errorOf(() => loadReleaseConfig(typo.release));
    expect(error.location).toMatchObject({ file: typo.file, ...place(typo.text, 'goodOrBeter'), setting: 'grades[0].goodOrBeter' });
    expect(error.hint).toBe('did you mean "goodOrBetter"?');
    // A value of the wrong shape is one problem, not one per check it then fails.
    const scale = withCopy('framework', 'frameworks/ilacs-2018.yaml', (t) => t.replace(/^grades:\n(?:  .*\n|\n)*?(?=# The headline)/m, 'grades: A\n\n'));
    const scaleError = errorOf(() => loadReleaseConfig(scale.release));
    const scaleAt = place(scale.text, 'A', 'grades: A');
    expect(scaleError.describe()).toBe(`${scale.file}, line ${scaleAt.line}, column ${scaleAt.col}, setting "grades", value "A": expected a list`);
    const grade = withCopy('framework', 'frameworks/ilacs-2018.yaml', (t) => edit(t, 'count: 1, grades: [inadequate]', 'count: 1, grades: [inadequat]'));
    const gradeError = errorOf(() => loadReleaseConfig(grade.release));
    expect(gradeError.describe()).toContain(`line ${place(grade.text, 'inadequat]').line}, column ${place(grade.text, 'inadequat]').col}, setting "classifications[0].anyOf[0].grades[0]", value "inadequat": unknown grade "inadequat" (did you mean "inadequate"?)`);
  });

  it('a layout: a judgement the framework does not have is placed at its key', () => {
    const layout = withCopy('layout', 'layouts/ofsted-2025.yaml', (t) => edit(t, '    inCare: The experiences', '    inKare: The experiences'));
    const error = errorOf(() => loadReleaseConfig(layout.release));
    expect(error.location).toMatchObject({ file: layout.file, ...place(layout.text, 'inKare'), setting: 'columns.judgements.inKare' });
    expect(error.hint).toBe('did you mean "inCare"?');
  });

  it('a template set: unknown key, wrong kind, and a label its table kind needs', () => {
    const setWith = (change: (text: string) => string, set = 'ofsted-main-findings'): { dir: string; text: string } => {
      const dir = tempDir();
      cpSync(join(ROOT, 'templates', set), dir, { recursive: true });
      const text = change(readFileSync(join(dir, 'template-set.yaml'), 'utf8'));
      writeFileSync(join(dir, 'template-set.yaml'), text);
      return { dir, text };
    };
    const typo = setWith((t) => t.replace(/^(\s+)subtitle:/m, '$1subtitel:'));
    expect(errorOf(() => loadTemplateSet(typo.dir)).location).toMatchObject({ ...place(typo.text, 'subtitel'), setting: 'figures[0].subtitel' });
    const kind = setWith((t) => edit(t, 'kind: map', 'kind: mapp'));
    const kindError = errorOf(() => loadTemplateSet(kind.dir));
    expect(kindError.location).toMatchObject({ ...place(kind.text, 'mapp'), setting: 'figures[2].kind', value: 'mapp' });
    expect(kindError.message).toBe('expected series, regions, judgements, map, themes or query');
    const label = setWith((t) => edit(t, '      count: Local', '      cuont: Local'), 'ilacs-quarterly');
    const labelError = errorOf(() => loadTemplateSet(label.dir));
    expect(labelError.location).toMatchObject({ ...place(label.text, 'cuont'), setting: 'tables[0].columns.count', value: '(missing)' });
    expect(labelError.hint).toBe('found "cuont": is it misspelt?');
  });
});
