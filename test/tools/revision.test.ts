/**
 * Regenerating after a data revision: builds are reproducible byte for byte with a manifest of
 * every input and output, and `diff` names exactly the sentences, numbers and cells that depend
 * on a revised row. The revision is the real one in Ofsted's 2025 notes: Staffordshire's care
 * leavers judgement (short inspection, 6 November 2023) was published as Good in 2024 and
 * corrected to Requires improvement to be good.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocument, buildRelease, FORMATS } from '../../src/pipeline/build.js';
import { diffDocuments, draftRevisionNotice, formatDiff, renderDiffHtml } from '../../src/tools/diff.js';
import type { Block, Inline, ReportDocument, TableNode, ValueNode } from '../../src/document/document.js';
import { runCli } from '../../src/cli/main.js';
import { openPdf } from '../../src/quality/readers/pdf.js';
import { editedData, RELEASE_2025, releaseVariant, sharedRelease, tempDir } from '../support.js';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';
const STAFFORDSHIRE = /^(.*,Staffordshire,.*,2023-11-06,.*),Requires improvement to be good$/m;

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** A PDF's text page by page and its document information, as pdf.js reads them. */
async function pdfTextAndInfo(bytes: Uint8Array): Promise<{ pages: string[]; info: unknown }> {
  const doc = await openPdf(bytes);
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    }
    return { pages, info: (await doc.getMetadata()).info };
  } finally {
    await doc.destroy();
  }
}

describe('reproducible builds', () => {
  // The release built for the whole run (in another process, with every gate), and one built here.
  let a = '';
  const b = join(tempDir(), 'b');
  beforeAll(async () => {
    a = (await sharedRelease()).dir;
    await buildRelease({ configFile: RELEASE_2025, outDir: b, formats: FORMATS, gates: 'document' });
  }, 120_000);

  it('gives byte-identical outputs and manifests from the same inputs', () => {
    const first = files(a);
    const second = files(b);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [name, bytes] of first) expect(second.get(name)!.equals(bytes), name).toBe(true);
    expect(first.has('manifest.json')).toBe(true);
  });

  it('lists every output with its hash, and every input the release read', () => {
    const manifest = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8'));
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const written = files(a);
    written.delete('manifest.json');
    expect(manifest.outputs.map((o: { path: string }) => o.path).sort()).toEqual([...written.keys()].sort());
    for (const o of manifest.outputs) expect(o.sha256, o.path).toBe(sha(written.get(o.path)!));
    expect(manifest.tool).toEqual({ name: 'statpress', version: JSON.parse(readFileSync(resolve(dirname(RELEASE_2025), '../package.json'), 'utf8')).version });
    const roles = new Set(manifest.inputs.map((i: { role: string }) => i.role));
    expect([...roles].sort()).toEqual(['chart spec', 'data', 'framework', 'layout', 'release config', 'resource', 'template']);
    for (const input of manifest.inputs) {
      const bytes = readFileSync(resolve(dirname(RELEASE_2025), input.path));
      expect(input.sha256, input.path).toBe(sha(bytes));
    }
    expect(manifest.inputs.map((i: { path: string }) => i.path)).toContain(`../../shared/data-sources/${HISTORY}`);
  });

  it('gives the same PDF text and metadata when built again', async () => {
    const first = await pdfTextAndInfo(new Uint8Array(readFileSync(join(a, 'main-findings.pdf'))));
    const second = await pdfTextAndInfo(new Uint8Array(readFileSync(join(b, 'main-findings.pdf'))));
    expect(first.pages.length).toBeGreaterThan(5);
    expect(second.pages).toEqual(first.pages);
    expect(second.info).toEqual(first.info);
  });
});

/** Every value node, in document order. */
function valuesOf(doc: ReportDocument): ValueNode[] {
  const out: ValueNode[] = [];
  const inl = (nodes: readonly Inline[]) => {
    for (const n of nodes) {
      if (n.type === 'value') out.push(n);
      else if (n.type === 'strong' || n.type === 'emphasis' || n.type === 'link') inl(n.children);
    }
  };
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'paragraph') inl(b.children);
      if (b.type === 'list') {
        const items = (l: typeof b): void => l.items.forEach((i) => (inl(i.children), i.sublist && items(i.sublist)));
        items(b);
      }
      if (b.type === 'section' || b.type === 'keyMessages' || b.type === 'callout') walk(b.children as Block[]);
    }
  };
  walk(doc.children);
  return out;
}

function tablesOf(doc: ReportDocument): TableNode[] {
  const out: TableNode[] = [];
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      if (b.type === 'table' && !b.id.startsWith('annex-')) out.push(b);
      if (b.type === 'figure') out.push(b.dataTable);
      if (b.type === 'section') walk(b.children);
    }
  };
  walk(doc.children);
  return out;
}

/** Leaves of a plain object that differ between two models, as paths. */
function changedLeaves(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? [] : [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => changedLeaves((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
}

describe('diff after the Staffordshire revision', () => {
  let published: ReturnType<typeof buildDocument>;
  let revised: ReturnType<typeof buildDocument>;
  beforeAll(() => {
    // "As first published": the 2025 history with the care-leavers grade as the 2024 publication had it.
    const history = editedData(HISTORY, (text) => {
      expect(text).toMatch(STAFFORDSHIRE);
      return text.replace(STAFFORDSHIRE, '$1,Good');
    });
    const config = releaseVariant((c) => {
      c.sources[0].file = history;
    });
    published = buildDocument({ configFile: config });
    revised = buildDocument({ configFile: RELEASE_2025 });
  });

  it('is a change to the care-leavers statistics only (the oracle for what may move)', () => {
    const leaves = changedLeaves(JSON.parse(JSON.stringify(published.model)), JSON.parse(JSON.stringify(revised.model)));
    expect(leaves.length).toBeGreaterThan(0);
    for (const leaf of leaves) expect(leaf, leaf).toMatch(/careLeavers/);
  });

  it('names exactly the numbers and cells that moved, and nothing else', () => {
    const report = diffDocuments(published.document, revised.document);
    // Independently: values and cells compared position by position (the wording is the same).
    const before = valuesOf(published.document);
    const after = valuesOf(revised.document);
    expect(after).toHaveLength(before.length);
    const movedValues = after.flatMap((v, i) => (v.raw !== before[i]!.raw || v.text !== before[i]!.text ? [`${before[i]!.text} → ${v.text}`] : []));
    const oldTables = tablesOf(published.document);
    const movedCells = tablesOf(revised.document).flatMap((t, ti) =>
      t.rows.flatMap((r, ri) => r.cells.flatMap((c, ci) => (c.text !== oldTables[ti]!.rows[ri]!.cells[ci]!.text ? [`${oldTables[ti]!.rows[ri]!.cells[ci]!.text} → ${c.text}`] : []))),
    );
    expect(movedValues.length + movedCells.length).toBeGreaterThan(0);

    const sentences = report.sections.flatMap((s) => s.changes.filter((c) => c.kind === 'sentence'));
    const reportedValues = sentences.flatMap((s) => (s.kind === 'sentence' ? s.values.map((v) => `${v.old?.text} → ${v.new?.text}`) : []));
    const reportedCells = report.sections.flatMap((s) => s.changes.flatMap((c) => (c.kind === 'cell' ? [`${c.old} → ${c.new}`] : [])));
    expect(reportedValues.sort()).toEqual(movedValues.sort());
    expect(reportedCells.sort()).toEqual(movedCells.sort());
    // Every reported sentence changed in data only, and mentions care leavers.
    for (const s of sentences) {
      if (s.kind !== 'sentence') continue;
      expect(s.change).toBe('data');
      expect(s.new).toMatch(/care leavers/i);
    }
    // Every reported cell is in the care-leavers row of a figure or table.
    for (const c of report.sections.flatMap((s) => s.changes)) if (c.kind === 'cell') expect(c.row).toMatch(/care leavers/i);
    expect(report.counts.keyMessages).toBe(0);
  });

  it('prints a readable summary, a side-by-side page and a draft notice', () => {
    const report = diffDocuments(published.document, revised.document, { old: 'as published', new: 'revised' });
    const text = formatDiff(report);
    expect(text).toMatch(/^statpress diff: as published → revised\n/);
    expect(text).toContain('## Quality of local authority children');
    expect(text).toMatch(/Figure \d data, row "Care leavers", column "% Good": \d+ → \d+/);
    const html = renderDiffHtml(report);
    expect(html).toMatch(/<del>\d+%?<\/del>/);
    expect(html).toMatch(/<ins>\d+%?<\/ins>/);
    const notice = draftRevisionNotice(report);
    expect(notice).toMatch(/^The revision changes \d+ published values: \d+ in the text and \d+ in Figure \d data\. No key message changed\./);
  });

  it('tells a change of wording from a change of data, and reports a value that moved but prints the same', () => {
    const doc = structuredClone(revised.document);
    const values = valuesOf(doc);
    const percent = values.find((v) => v.format === 'percent')!;
    percent.raw += 0.0001; // moves, still prints the same
    const report = diffDocuments(revised.document, doc);
    const change = report.sections.flatMap((s) => s.changes)[0]!;
    expect(change.kind === 'sentence' && change.change === 'data' && change.values[0]!.printedSame).toBe(true);

    const reworded = structuredClone(revised.document);
    const walk = (blocks: Block[]): boolean => {
      for (const b of blocks) {
        if (b.type === 'paragraph') {
          const text = b.children.find((n) => n.type === 'text' && / the /.test(n.value));
          if (text && text.type === 'text') {
            text.value = text.value.replace(' the ', ' the whole ');
            return true;
          }
        }
        if (b.type === 'section' && walk(b.children)) return true;
      }
      return false;
    };
    expect(walk(reworded.children)).toBe(true);
    const wording = diffDocuments(revised.document, reworded).sections.flatMap((s) => s.changes);
    expect(wording).toHaveLength(1);
    expect(wording[0]!.kind === 'sentence' && wording[0]!.change).toBe('wording');
  });

  it('works from the command line on two release configs', async () => {
    const history = editedData(HISTORY, (text) => text.replace(STAFFORDSHIRE, '$1,Good'));
    const config = releaseVariant((c) => {
      c.sources[0].file = history;
    });
    const out: string[] = [];
    const html = join(tempDir(), 'diff.html');
    const status = await runCli(['diff', config, RELEASE_2025, '--html', html, '--notice'], { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(status).toBe(0);
    expect(out.join('')).toContain('Draft revision notice');
    expect(readFileSync(html, 'utf8')).toContain('<h1>What changed</h1>');
  });
});

describe('revision notice', () => {
  it('a release config that declares a revision carries the notice in every format', async () => {
    const config = releaseVariant((c) => {
      c.meta.revision = { date: '2025-10-02', reason: "Staffordshire's care leavers judgement corrected <to> Requires improvement to be good" };
    });
    const out = join(tempDir(), 'out');
    const result = await buildRelease({ configFile: config, outDir: out, formats: ['html', 'docx'], gates: 'document' });
    const html = result.files.get('main-findings.html') as string;
    expect(html).toContain('This release was revised on 2 October 2025: Staffordshire&#39;s care leavers judgement corrected &lt;to&gt; Requires improvement to be good');
    const JSZip = (await import('jszip')).default;
    const xml = await (await JSZip.loadAsync(result.files.get('main-findings.docx') as Uint8Array)).file('word/document.xml')!.async('string');
    expect(xml).toContain('This release was revised on 2 October 2025: Staffordshire&apos;s care leavers judgement corrected &lt;to&gt; Requires improvement to be good');
    expect(JSON.parse(result.files.get('manifest.json') as string).release.revised).toBe('2025-10-02');
  }, 60_000);
});

