/**
 * The govspeak export and its gate, on the sample document: a key message of one number is a
 * statistic headline, data text is escaped (no raw HTML), tables follow govspeak's rules or go out
 * as their CSV with a warning, and the gate finds a missing number, an unknown file, raw HTML and
 * a table with an empty cell or two header rows.
 */
import { describe, expect, it } from 'vitest';
import type { ReportDocument, TableNode } from '../../src/document/document.js';
import { checkGovspeak } from '../../src/quality/gates/govspeak.js';
import { renderGovspeak } from '../../src/render/govspeak.js';
import { HOSTILE, sampleDocument } from '../fixtures/sample-document.js';

const uploadsOf = (e: ReturnType<typeof renderGovspeak>) => new Set(e.uploads.map((u) => u.file));

describe('govspeak export', () => {
  const exported = renderGovspeak(sampleDocument);

  it('makes a key message of one number a statistic headline', () => {
    expect(exported.markdown).toContain('{stat-headline}\nOverall, *67%* of local authorities were good or outstanding.\n{/stat-headline}');
  });

  it('escapes data so that it never becomes markup, and passes its own gate', () => {
    expect(JSON.stringify(sampleDocument)).toContain('<script>');
    expect(exported.markdown).not.toMatch(/(^|[^\\])<script/);
    expect(HOSTILE.length).toBeGreaterThan(0);
    expect(checkGovspeak(sampleDocument, exported, uploadsOf(exported)).findings).toEqual([]);
  });

  it('writes pipe tables with row headers marked and numbers right-aligned', () => {
    expect(exported.markdown).toMatch(/\n\| [^\n]+ \|\n\| --- \|( ---: \|)+\n\|# /);
  });

  it('exports a table with an empty cell as its CSV, with a warning', () => {
    const withGap = structuredClone(sampleDocument) as ReportDocument;
    const tables: TableNode[] = [];
    const find = (blocks: ReportDocument['children']) => { for (const b of blocks) { if (b.type === 'table') tables.push(b); if (b.type === 'figure') tables.push(b.dataTable); if (b.type === 'section') find(b.children); } };
    find(withGap.children);
    const table = tables[0]!;
    table.rows[0]!.cells[0]!.text = '';
    const out = renderGovspeak(withGap, { csvOf: (id) => `data/${id}.csv` });
    expect(out.warnings.join('\n')).toContain('has an empty cell');
    expect(out.markdown).toContain(`[Attachment:${table.id}.csv]`);
    expect(out.attachedTables).toEqual([table.id]);
    expect(checkGovspeak(withGap, out, uploadsOf(out)).findings).toEqual([]);
  });
});

describe('govspeak gate', () => {
  const exported = renderGovspeak(sampleDocument);
  const gate = (markdown: string, uploads = uploadsOf(exported)) => checkGovspeak(sampleDocument, { ...exported, markdown }, uploads).findings.map((f) => f.message);

  it('finds a number of the document missing from the export', () => {
    expect(gate(exported.markdown.replace('*67%*', '*two thirds*')).join('\n')).toContain('"67%" is not in the govspeak');
  });

  it('finds a file not in the upload list, raw HTML, two header rows and an empty cell', () => {
    expect(gate(`${exported.markdown}\n[Image:nowhere.svg]\n`).join('\n')).toContain('names a file that is not in the upload list');
    expect(gate(`${exported.markdown}\n<div>raw</div>\n`).join('\n')).toContain('raw HTML');
    expect(gate(`${exported.markdown}\n| a | b |\n| c | d |\n| --- | --- |\n|# e | f |\n`).join('\n')).toContain('has 2 header rows');
    expect(gate(`${exported.markdown}\n| a | b |\n| --- | --- |\n|# e |  |\n`).join('\n')).toContain('has an empty cell');
  });
});
