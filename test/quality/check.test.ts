/** Each quality gate fails on a deliberately broken document, and passes on the real releases. */
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../src/pipeline/build.js';
import { checkDirections, checkDocument, checkNumbersTrace, checkRoundingNotes, checkStructure, checkStyle } from '../../src/quality/gates/document-gates.js';
import type { FigureNode, ReportDocument, SectionNode } from '../../src/document/document.js';
import { sampleDocument } from '../fixtures/sample-document.js';
import { RELEASE_2025, ROOT } from '../support.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const clone = (): ReportDocument => structuredClone(sampleDocument);
const firstSection = (doc: ReportDocument) => doc.children[0] as SectionNode;
const figureOf = (doc: ReportDocument): FigureNode => {
  const quality = doc.children[2] as SectionNode;
  const overall = quality.children[0] as SectionNode;
  return overall.children.find((b) => b.type === 'figure') as FigureNode;
};

describe('quality gates on broken input', () => {
  it('numbers-trace: a number typed as text is caught', () => {
    const doc = clone();
    firstSection(doc).children.push({ type: 'paragraph', children: [{ type: 'text', value: 'About 67% were good.' }] });
    const before = checkNumbersTrace(clone()).findings.map((f) => f.message);
    const after = checkNumbersTrace(doc).findings.map((f) => f.message);
    expect(after.filter((m) => !before.includes(m))).toEqual(['"67" in "About 67% were good." is not a computed value']);
  });

  it('numbers-trace: a value without a source is caught', () => {
    const doc = clone();
    firstSection(doc).children.push({ type: 'paragraph', children: [{ type: 'value', raw: 5, text: '5', format: 'count', ref: '' }] });
    expect(checkNumbersTrace(doc).findings.length - checkNumbersTrace(clone()).findings.length).toBe(1);
    expect(checkNumbersTrace(doc).findings.map((f) => f.message)).toContain('"5" has no traceable source');
  });

  it('directions: "increased" before a fall is caught, and the right word passes', () => {
    const doc = clone();
    const paragraph = (word: string) => ({
      type: 'paragraph' as const,
      children: [
        { type: 'text' as const, value: `The share ${word} by ` },
        { type: 'value' as const, raw: -3.4, text: 'just over 3 percentage points', format: 'points' as const, ref: 'changes.0.points.good' },
      ],
    });
    firstSection(doc).children.push(paragraph('increased'));
    expect(checkDirections(doc).findings.map((f) => f.message)).toEqual(['"increased … just over 3 percentage points" but the change is -3.40']);
    const fixed = clone();
    firstSection(fixed).children.push(paragraph('decreased'));
    expect(checkDirections(fixed).findings).toEqual([]);
  });

  it('rounding: a missing note is caught, and so is a note where every row adds up', () => {
    const doc = clone();
    const figure = figureOf(doc);
    figure.dataTable.rows[1]!.cells = [19, 40, 28, 12].map((v) => ({ text: String(v), raw: v }));
    figure.notes = [];
    expect(checkRoundingNotes(doc).findings.map((f) => f.message)).toEqual(['percentages add up to 99 but there is no rounding note']);
    const tidy = clone();
    figureOf(tidy).notes.push([{ type: 'text', value: 'Due to rounding, percentages might not add up to 100.' }]);
    figureOf(tidy).roundingNote = true;
    figureOf(tidy).dataTable.rows[1]!.cells = [20, 40, 28, 12].map((v) => ({ text: String(v), raw: v }));
    expect(checkRoundingNotes(tidy).findings.map((f) => f.message)).toEqual(['every distribution adds up to 100, yet the rounding note is shown']);
  });

  it('style: a sentence opening on a number, a dashed range, a percentage change in %, and dated ordinals are caught', () => {
    const doc = clone();
    expect(checkStyle(doc).findings).toEqual([]);
    const count = { type: 'value' as const, raw: 19, text: '19', format: 'count' as const, ref: 'current.judgements.overall.grades.inadequate.count' };
    firstSection(doc).children.push(
      { type: 'paragraph', children: [{ type: 'text', value: 'Most improved. ' }, count, { type: 'text', value: ' declined.' }] },
      { type: 'paragraph', children: [{ type: 'text', value: 'Between 2023-24 and the 1st of April, 31 March, 2025 was the date.' }] },
      {
        type: 'paragraph',
        children: [
          { type: 'text', value: 'Good rose by ' },
          { type: 'value', raw: 3.4, text: '3%', format: 'points', ref: 'changes.0.points.good' },
          { type: 'text', value: '.' },
        ],
      },
      // A bullet may open on a number (it continues the lead-in sentence); its second sentence may not.
      { type: 'list', ordered: false, items: [{ children: [count, { type: 'text', value: ' standard inspections' }] }, { children: [{ type: 'text', value: 'Fine. ' }, count, { type: 'text', value: ' more.' }] }] },
      // Names from the data are as the data spell them.
      { type: 'paragraph', children: [{ type: 'text', value: 'Visited ' }, { type: 'text', value: '3-5 Main Street', data: true }, { type: 'text', value: '.' }] },
    );
    expect(checkStyle(doc).findings.map((f) => f.message)).toEqual([
      'a sentence begins with a numeral: "19 declined."',
      'a range written with a dash ("2023-24"): write "to"',
      'a date with an ordinal ("1st")',
      'a comma inside a date ("March, 2025")',
      'a change between percentages is not in percentage points: "3%."',
      'a sentence begins with a numeral: "19 more."',
    ]);
  });

  it('structure: a skipped heading level and a missing footnote are caught', () => {
    const doc = clone();
    firstSection(doc).children.push({ type: 'section', id: 'deep', depth: 4, title: [{ type: 'text', value: 'Too deep' }], children: [] });
    firstSection(doc).children.push({ type: 'paragraph', children: [{ type: 'footnoteRef', id: 'missing' }] });
    const messages = checkStructure(doc).findings.map((f) => f.message);
    expect(messages).toContain('heading "Too deep" skips a level (h2 to h4)');
    expect(messages).toContain('footnote "missing" is referenced but not defined');
  });
});

describe('quality gates on the real releases', () => {
  for (const file of [RELEASE_2025, join(ROOT, 'releases/ofsted-2024.yaml'), join(ROOT, 'releases/ilacs-2026-q2.yaml')]) {
    it(`pass for ${file.split('/').pop()}`, () => {
      const { document } = buildDocument({ configFile: file });
      for (const result of checkDocument(document)) expect(result.findings, result.gate).toEqual([]);
    });
  }
});

describe('the README', () => {
  it('lists every gate with what it guarantees, word for word', async () => {
    const { FORMAT_GATES } = await import('../../src/quality/gates/format-gates.js');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const { document } = buildDocument({ configFile: RELEASE_2025 });
    const gates: Array<[string, string]> = [...checkDocument(document).map((r): [string, string] => [r.gate, r.guarantees]), ...Object.entries(FORMAT_GATES)];
    expect(gates).toHaveLength(10);
    for (const [gate, guarantees] of gates) expect(readme, gate).toContain(`| \`${gate}\` | ${guarantees} |`);
  });
});
