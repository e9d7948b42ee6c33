/**
 * The release as a whole, from the shared build: the introduction's context figures link to the
 * publications they are quoted from, in the web page, the PDF and the Word file.
 */
import JSZip from 'jszip';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openPdf } from '../../src/quality/readers/pdf.js';
import { RELEASE_2025, sharedRelease } from '../support.js';

const shared = await sharedRelease();
const config = parseYaml(readFileSync(RELEASE_2025, 'utf8')) as { meta: { context: Record<string, { source: string; sourceTitle: string }> } };
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
