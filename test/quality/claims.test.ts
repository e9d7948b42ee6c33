/**
 * Claims are computed, not typed: claim words typed into a template are refused with their line;
 * the claim helpers say ties, "all", "none", "still" and approximate shares only when the numbers
 * allow; and the claims gate finds each class of false claim in a document tree. Expected values
 * are worked out here from the numbers given, not by the code under test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/compute/stats.js';
import { loadReleaseConfig } from '../../src/config/config.js';
import type { Claim, Inline, ReportDocument } from '../../src/document/document.js';
import { StatpressError } from '../../src/core/errors.js';
import { loadDataset } from '../../src/load/dataset.js';
import { loadTemplateSet, narrateReport } from '../../src/narrate/narrate.js';
import { checkClaims } from '../../src/quality/gates/document-gates.js';
import { RELEASE_2025, tempDir } from '../support.js';

const config = loadReleaseConfig(RELEASE_2025);
const model = computeStats(loadDataset(config), config.period, config.publishedSeries?.computeFrom);

function templateSet(section: string, extra = ''): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'template-set.yaml'), `sections: [only.md.hbs]\n${extra}`);
  writeFileSync(join(dir, 'only.md.hbs'), section);
  return dir;
}

/** The narrative of a one-paragraph template, as text, and its claim nodes. */
function narrate(body: string): { text: string; claims: Array<{ words: string; claim: Claim }> } {
  const doc = narrateReport(model, config, loadTemplateSet(templateSet(`## T {#t}\n\n${body}\n`)));
  const section = doc.children[0]!;
  const inlines: Inline[] = section.type === 'section' && section.children[0]?.type === 'paragraph' ? section.children[0].children : [];
  const text = inlines.map((n) => ('value' in n ? n.value : 'text' in n ? n.text : '')).join('');
  const claims = inlines.flatMap((n) => (n.type === 'text' && n.claim ? [{ words: n.value, claim: n.claim }] : []));
  return { text, claims };
}

function loadError(section: string, extra = ''): StatpressError {
  try {
    loadTemplateSet(templateSet(section, extra));
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected the template set to be refused');
}

describe('claim words typed into templates', () => {
  const cases: Array<[string, string]> = [
    ['superlative', 'London had the highest share.'],
    ['extreme', 'Practice was weakest for care leavers.'],
    ['quantifier', 'All authorities were inspected.'],
    ['scope', 'Elsewhere, results were mixed.'],
    ['persistence', 'They were still judged good.'],
    ['sameness', 'The rest stayed the same.'],
    ['approximation', 'Just over a quarter were outstanding.'],
    ['comparative', 'Far fewer were judged outstanding.'],
  ];
  for (const [kind, sentence] of cases) {
    it(`refuses a ${kind} word with its line`, () => {
      const error = loadError(`## T {#t}\n\nFirst line.\n\n${sentence}\n`);
      expect(error.code).toBe('template-claim');
      expect(error.describe()).toMatch(/only\.md\.hbs, row 5, .*is a claim about the data/);
    });
  }

  it('refuses one in template-set.yaml wording, with its line and setting', () => {
    const extra = [
      'figures:',
      '  - id: f1',
      '    kind: series',
      '    title: Outcomes',
      '    spec: charts/x.vl.json',
      '    rowHeader: Period',
      '    alt: The most common grade was good.',
      '',
    ].join('\n');
    const error = loadError('## T {#t}\n\nText.\n', extra);
    const line = `sections: [only.md.hbs]\n${extra}`.split('\n').findIndex((l) => l.includes('alt:')) + 1;
    expect(error.describe()).toMatch(new RegExp(`line ${line}, .*figures\\[0\\]\\.alt.*"most" is a claim`));
  });

  it('accepts words inside helpers and phrases on the allow-list', () => {
    expect(() => loadTemplateSet(templateSet('## T {#t}\n\nAt their most recent inspection, {{superlative "highest" (top current.regions "authorities")}}.\n', 'allowClaims: [most recent inspection]\n'))).not.toThrow();
  });
});

describe('claim helpers', () => {
  const regions = model.current.regions;

  it('names every region tied at the top, and says "joint" when one was asked for', () => {
    const shown = regions.map((r) => Math.round(r.judgements.overall!.grades.inadequate!.share * 100));
    const lowest = Math.min(...shown);
    const expected = regions.filter((_, i) => shown[i] === lowest).map((r) => r.name);
    const { text, claims } = narrate('{{#with (bottom current.regions "judgements.overall.grades.inadequate.share") as |low|}}{{superlative "lowest" low}}: {{joinAnd (pluck low "name")}}{{/with}}');
    expect(text).toBe(`${expected.length > 1 ? 'joint lowest' : 'lowest'}: ${expected.length === 1 ? expected[0] : `${expected.slice(0, -1).join(', ')} and ${expected[expected.length - 1]}`}`);
    expect(claims[0]!.claim.kind).toBe('extreme');
  });

  it('says all, none or a part, as the numbers are', () => {
    expect(narrate('{{allOf current.inspected current.existing}}').text).toBe(model.current.inspected === model.current.existing ? `all ${model.current.existing}` : `${model.current.inspected} of the ${model.current.existing}`);
    expect(narrate('{{allOf current.notInspected current.existing}}').text).toBe(model.current.notInspected === 0 ? `none of the ${model.current.existing}` : `${model.current.notInspected} of the ${model.current.existing}`);
  });

  it('says "still" only when nothing changed', () => {
    expect(narrate('{{still "good" "good"}}judged good').text).toBe('still judged good');
    expect(narrate('{{still "good" "inadequate"}}judged inadequate').text).toBe('judged inadequate');
  });

  it('approximates a share only within 3.5 points of a common fraction', () => {
    // 36 of 153 outstanding is 23.5%: 1.5 points under a quarter, and far from any other fraction.
    const d = model.current.judgements.overall!.grades.outstanding!.share * 100 - 25;
    const expected = Math.abs(d) < 0.5 ? 'a quarter' : d > 0 && d <= 3.5 ? 'just over a quarter' : d < 0 && d >= -3.5 ? 'just under a quarter' : 'no';
    expect(narrate('{{#if (approximable current.judgements.overall.grades.outstanding.share)}}{{fraction current.judgements.overall.grades.outstanding.share}}{{else}}no{{/if}}').text).toBe(expected);
    // 29% (the leaders judgement's outstanding share) is neither a quarter nor a third.
    const leaders = model.current.judgements.leaders!.grades.outstanding!.share * 100;
    expect(narrate('{{#if (approximable current.judgements.leaders.grades.outstanding.share)}}{{fraction current.judgements.leaders.grades.outstanding.share}}{{else}}no{{/if}}').text).toBe(
      Math.abs(leaders - 25) <= 3.5 || Math.abs(leaders - 100 / 3) <= 3.5 ? expect.any(String) : 'no',
    );
  });
});

describe('the claims gate', () => {
  const paragraph = (...inlines: Inline[]): ReportDocument => ({
    type: 'report',
    meta: {} as ReportDocument['meta'],
    children: [{ type: 'section', id: 's', level: 2, title: [{ type: 'text', value: 'S' }], children: [{ type: 'paragraph', children: inlines }] }],
    footnotes: {},
  } as unknown as ReportDocument);
  const claim = (value: string, c: Claim): Inline => ({ type: 'text', value, claim: c });
  const messages = (doc: ReportDocument) => checkClaims(doc).findings.map((f) => f.message);

  it('passes true claims', () => {
    expect(messages(paragraph(
      claim('highest', { kind: 'extreme', direction: 'top', n: 1, values: [3, 9, 5], chosen: [1] }),
      claim('joint lowest', { kind: 'extreme', direction: 'bottom', n: 1, values: [3, 9, 3], chosen: [0, 2] }),
      claim('all', { kind: 'quantifier', part: 5, total: 5 }),
      claim('still ', { kind: 'still', before: 'good', after: 'good' }),
      claim('just over a quarter', { kind: 'fraction', share: 0.27 }),
    ))).toEqual([]);
  });

  it('fails a superlative that names the wrong item, misses a tie, or says "joint" without one', () => {
    expect(messages(paragraph(claim('highest', { kind: 'extreme', direction: 'top', n: 1, values: [3, 9, 5], chosen: [2] })))).toHaveLength(1);
    expect(messages(paragraph(claim('highest', { kind: 'extreme', direction: 'top', n: 1, values: [9, 9, 5], chosen: [0] })))[0]).toMatch(/items 0, 1/);
    expect(messages(paragraph(claim('highest', { kind: 'extreme', direction: 'top', n: 1, values: [9, 9, 5], chosen: [0, 1] })))[0]).toMatch(/must say "joint"/);
    expect(messages(paragraph(claim('joint highest', { kind: 'extreme', direction: 'top', n: 1, values: [9, 8, 5], chosen: [0] })))[0]).toMatch(/nothing ties/);
  });

  it('fails "all" for a part, "none" for some, "still" for a change and a fraction too far off', () => {
    expect(messages(paragraph(claim('all', { kind: 'quantifier', part: 4, total: 5 })))).toHaveLength(1);
    expect(messages(paragraph(claim('none of the', { kind: 'quantifier', part: 1, total: 5 })))).toHaveLength(1);
    expect(messages(paragraph(claim('still ', { kind: 'still', before: 'good', after: 'inadequate' })))).toHaveLength(1);
    expect(messages(paragraph(claim('just over a quarter', { kind: 'fraction', share: 45 / 153 })))[0]).toMatch(/not close enough/);
  });
});
