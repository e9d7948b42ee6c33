/**
 * The release as a whole, from the shared build: the introduction's context figures link to the
 * publications they are quoted from, in the web page, the PDF and the Word file; every document
 * the config lists is built in every format, each links to the others and to the landing page,
 * the methodology states the counts of the data (checked against the raw CSV files) and the
 * pre-release access list names every recipient of the config.
 */
import JSZip from 'jszip';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openPdf } from '../../src/quality/readers/pdf.js';
import { buildRelease } from '../../src/pipeline/build.js';
import { readCsv, RELEASE_2025, ROOT, sharedRelease, tempDir } from '../support.js';

const shared = await sharedRelease();
const config = parseYaml(readFileSync(RELEASE_2025, 'utf8')) as {
  meta: { context: Record<string, { source: string; sourceTitle: string }>; includes: string[] };
  documents: Array<{ id: string; label: string }>;
  preReleaseAccess: { hours: number; recipients: Array<{ role: string; organisation: string }> };
};
const sources = Object.values(config.meta.context).map((c) => c.source);

/** Every web address a PDF's link annotations point to. */
async function pdfLinks(bytes: Uint8Array): Promise<string[]> {
  const pdf = await openPdf(bytes);
  const urls: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    for (const a of await (await pdf.getPage(i)).getAnnotations()) if (a.url) urls.push(a.url as string);
  }
  return urls;
}

/** Every external hyperlink target of a Word file. */
async function docxLinks(bytes: Uint8Array): Promise<string[]> {
  const rels = await (await JSZip.loadAsync(bytes)).file('word/_rels/document.xml.rels')!.async('string');
  return [...rels.matchAll(/Target="([^"]+)"[^>]*TargetMode="External"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('context figures quoted from other publications', () => {
  it('each has a source address and name in the config', () => {
    expect(sources.length).toBeGreaterThan(0);
    for (const c of Object.values(config.meta.context)) {
      expect(c.source).toMatch(/^https:\/\//);
      expect(c.sourceTitle.length).toBeGreaterThan(10);
    }
  });

  it('link to their sources from the sentence that quotes them, in the web page, the PDF and the Word file', async () => {
    const html = shared.text('main-findings.html');
    const intro = /<p class="govuk-body">Of the .*?<\/p>/.exec(html)?.[0] ?? '';
    for (const url of sources) expect(intro).toContain(`href="${url}"`);
    const inPdf = await pdfLinks(shared.bytes('main-findings.pdf'));
    const inDocx = await docxLinks(shared.bytes('main-findings.docx'));
    for (const url of sources) {
      expect(inPdf).toContain(url);
      expect(inDocx).toContain(url);
    }
  });
});

/** The readable text of a web page's main column, one line per block. */
function pageText(html: string): string {
  const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
  return main
    .replace(/<(h\d|p|li|dt|dd|tr)[^>]*>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('the documents of the release', () => {
  it('are each built as a web page, a PDF and a Word file', () => {
    expect(config.documents.map((d) => d.id)).toEqual(['main-findings', 'methodology', 'pre-release-access-list']);
    for (const d of config.documents) for (const ext of ['html', 'pdf', 'docx']) expect(shared.bytes(`${d.id}.${ext}`).byteLength, `${d.id}.${ext}`).toBeGreaterThan(1000);
  });

  it('link to one another and to the landing page from their title block, in the web page and the Word file', async () => {
    for (const d of config.documents) {
      const html = shared.text(`${d.id}.html`);
      const head = html.slice(html.indexOf('<body'), html.indexOf('<nav class="app-contents"'));
      expect(head, d.id).toContain('href="index.html"');
      for (const other of config.documents.filter((o) => o.id !== d.id)) expect(head, `${d.id} → ${other.id}`).toContain(`href="${other.id}.html"`);
      // Word cannot link to a file beside it: it names the file.
      const xml = await (await JSZip.loadAsync(shared.bytes(`${d.id}.docx`))).file('word/document.xml')!.async('string');
      for (const other of config.documents.filter((o) => o.id !== d.id)) expect(xml, `${d.id}.docx → ${other.id}`).toContain(`(${other.id}.html)`);
    }
  });

  it('list what the release includes, each item but the document itself a link', () => {
    for (const d of config.documents) {
      const html = shared.text(`${d.id}.html`);
      for (const item of config.meta.includes) {
        const linked = new RegExp(`<a class="govuk-link" href="[a-z-]+\\.html">${item}</a>`).test(html);
        expect(linked, `${d.id}: ${item}`).toBe(item !== d.label);
      }
    }
  });
});

describe('the methodology report', () => {
  const text = pageText(shared.text('methodology.html'));
  const inYear = readCsv('ofsted-la-outcomes/csv-2025/In-year_inspections.csv');
  const history = readCsv('ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv');
  const ofType = (rows: Array<Record<string, string>>, column: string, word: string) => rows.filter((r) => r[column]!.toLowerCase().includes(word)).length;

  it('states how many inspections and visits of each type the year holds, as counted from the raw file', () => {
    expect(text).toContain(`counts ${inYear.length} of them`);
    for (const [word, plural] of [['standard', 'standard inspections'], ['short', 'short inspections'], ['focused', 'focused visits'], ['monitoring', 'monitoring visits']] as const) {
      expect(text).toContain(`${ofType(inYear, 'Inspection/Visit type', word)} ${plural}`);
    }
  });

  it('states how many records each source gave', () => {
    const graded = history.filter((r) => /standard|short/i.test(r['Inspection type']!)).length;
    expect(text).toMatch(new RegExp(`ILACS inspection history[^\\n]*\\(${graded} records read\\)`));
  });

  it('says how many records of a source are dated after the as-at date, and so count in no figure (2024, from the 2025 history)', async () => {
    const out = join(tempDir(), 'release');
    await buildRelease({ configFile: join(ROOT, 'releases/ofsted-2024.yaml'), outDir: out, formats: ['html'], gates: 'document' });
    const graded = history.filter((r) => /standard|short/i.test(r['Inspection type']!));
    const later = graded.filter((r) => r['Inspection date']! > '2024-03-31').length;
    expect(later).toBeGreaterThan(0);
    const text2024 = pageText(readFileSync(join(out, 'methodology.html'), 'utf8'));
    expect(text2024).toMatch(new RegExp(`ILACS inspection history[^\\n]*\\(${graded.length} records read, of which ${later} dated after 31 March 2024 count in no figure of this release\\)`));
  }, 60_000);

  it('names the source of every context figure, with a link', () => {
    const html = shared.text('methodology.html');
    for (const c of Object.values(config.meta.context)) expect(html).toContain(`<a class="govuk-link" href="${c.source}">${c.sourceTitle}</a>`);
  });
});

describe('the pre-release access list', () => {
  it('names every role and organisation of the config, and the hours of access', () => {
    const text = pageText(shared.text('pre-release-access-list.html'));
    for (const r of config.preReleaseAccess.recipients) expect(text).toContain(`${r.role}, ${r.organisation}`.replace(/'/g, "'"));
    expect(text).toContain(`from ${config.preReleaseAccess.hours} hours before`);
  });
});

describe('the landing page', () => {
  const html = shared.text('index.html');
  const hrefs = new Set([...html.matchAll(/href="([^"#]+)"/g)].map((m) => m[1]!));

  it('links to every document in every format and to every data file the build wrote', () => {
    const written = [
      ...readdirSync(shared.dir).filter((f) => /\.(html|pdf|docx|ods|xlsx)$/.test(f) && f !== 'index.html'),
      ...readdirSync(join(shared.dir, 'data')).map((f) => `data/${f}`),
    ];
    expect(written.length).toBeGreaterThan(15);
    for (const file of written) expect(hrefs.has(file), file).toBe(true);
  });

  it('gives the status, the title, the publication date, the next update and the contacts', () => {
    const meta = parseYaml(readFileSync(RELEASE_2025, 'utf8')).meta as { status: string; nextUpdate: string; contact: { email: string; teamEmail: string } };
    const text = pageText(html);
    expect(html).toContain(`<span class="govuk-caption-xl">${meta.status}</span>`);
    expect(html).toMatch(/<h1 class="govuk-heading-xl">Local authority inspection outcomes as at 31 March 2025<\/h1>/);
    expect(text).toContain('Published 25 September 2025');
    expect(text).toContain(meta.nextUpdate);
    for (const mail of [meta.contact.email, meta.contact.teamEmail]) expect(hrefs.has(`mailto:${mail}`), mail).toBe(true);
  });
});

describe('the publish folder', () => {
  const uploads = JSON.parse(shared.text('publish/upload.json')) as Array<{ file: string; kind: string; source: string }>;

  it('holds every file the govspeak names, under that name, byte for byte as built', () => {
    for (const d of config.documents) {
      const markdown = shared.text(`publish/govspeak/${d.id}.md`);
      for (const m of markdown.matchAll(/\[(Image|Attachment|AttachmentLink):([^\]]+)\]/g)) {
        const folder = m[1] === 'Image' ? 'images' : 'attachments';
        expect(Buffer.compare(Buffer.from(shared.bytes(`publish/${folder}/${m[2]}`)), Buffer.from(shared.bytes(uploads.find((u) => u.file === m[2])!.source))), m[2]).toBe(0);
      }
    }
    expect(uploads.filter((u) => u.kind === 'image')).toHaveLength(5);
  });

  it('has a manifest whose hashes are those of the files beside it', async () => {
    const { createHash } = await import('node:crypto');
    const manifest = JSON.parse(shared.text('publish/manifest.json')) as { files: Array<{ path: string; sha256: string }> };
    expect(manifest.files.length).toBeGreaterThan(20);
    for (const f of manifest.files) expect(createHash('sha256').update(shared.bytes(`publish/${f.path}`)).digest('hex'), f.path).toBe(f.sha256);
  });
});
