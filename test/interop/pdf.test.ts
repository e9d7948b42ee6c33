/**
 * The PDF as poppler reads it (the engine of many PDF viewers and of pdftotext): fonts
 * embedded, tagged, the contents' page numbers, the same text and metadata when built again, and
 * the same text printed by the system Chromium and by the npm-shipped one. The same things read
 * with pdf.js are in test/render/pdf.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRelease, type BuildResult } from '../../src/pipeline/build.js';
import { inlineText, type Block } from '../../src/document/document.js';
import { RELEASE_2025, sharedRelease, tempDir } from '../support.js';
import { installHint, run } from './tools.js';

const shared = await sharedRelease();
const pdfFile = shared.file('main-findings.pdf');
const squash = (s: string) => s.replace(/\s+/g, '');
const text = (file: string) => run('pdftotext', [file, '-']);
const info = (file: string) => run('pdfinfo', [file]);

function h2Headings(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' ? [...(b.depth === 2 ? [inlineText(b.title)] : []), ...h2Headings(b.children)] : []));
}

/** Builds the release's PDF into a file of its own, with the browser source forced if asked. */
async function printPdf(browser?: 'system' | 'npm'): Promise<{ result: BuildResult; file: string }> {
  if (browser) process.env.STATPRESS_BROWSER = browser;
  const result = await buildRelease({ configFile: RELEASE_2025, outDir: join(tempDir(), 'release'), formats: ['html', 'pdf'] });
  const file = join(tempDir(), 'main-findings.pdf');
  writeFileSync(file, result.files.get('main-findings.pdf') as Uint8Array);
  return { result, file };
}

const previous = process.env.STATPRESS_BROWSER;
afterEach(() => {
  if (previous === undefined) delete process.env.STATPRESS_BROWSER;
  else process.env.STATPRESS_BROWSER = previous;
});

describe('the PDF read by poppler', () => {
  it('embeds every font (pdffonts: embedded, subset, Unicode map)', () => {
    const rows = run('pdffonts', [pdfFile]).trim().split('\n').slice(2);
    expect(rows.length).toBeGreaterThan(0);
    for (const line of rows) expect(line, line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$/);
  });

  it('is tagged, with the title and fixed dates in its information (pdfinfo)', () => {
    const out = run('pdfinfo', ['-isodates', pdfFile]);
    expect(out).toMatch(/^Tagged:\s+yes$/m);
    expect(out).toMatch(new RegExp(`^Title:\\s+${shared.document.meta.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    for (const field of ['CreationDate', 'ModDate']) expect(out).toMatch(new RegExp(`^${field}:\\s+${shared.document.meta.published.iso}T00:00:00Z$`, 'm'));
  });

  it('lists each section in the contents with the page it starts on (pdftotext -layout)', () => {
    const pages = run('pdftotext', ['-layout', pdfFile, '-']).split('\f');
    expect(pages.length).toBeGreaterThan(8);
    const contents = pages[0]!.slice(pages[0]!.indexOf('Contents'));
    const sections = h2Headings(shared.document.children);
    expect(sections.length).toBeGreaterThan(3);
    for (const heading of sections) {
      const line = contents.split('\n').find((l) => squash(l).startsWith(squash(heading)));
      expect(line, heading).toBeDefined();
      const page = Number(/(\d+)\s*$/.exec(line!)?.[1]);
      expect(page, line).toBeGreaterThan(1);
      expect(squash(pages[page - 1] ?? ''), `${heading} on page ${page}`).toContain(squash(heading));
    }
  });

  it('gives the same text and metadata when built again', async () => {
    const again = await printPdf();
    expect(text(again.file)).toBe(text(pdfFile));
    expect(info(again.file)).toBe(info(pdfFile));
  }, 180_000);
});

describe('printed by the system Chromium and by the npm-shipped one', () => {
  it('gives the same text', async () => {
    // The system one: the run's build if that is the browser it used, else a build that insists on it.
    let system = pdfFile;
    if (shared.browser !== 'system' && shared.browser !== 'env') {
      const forced = await printPdf('system').catch((error: unknown) => {
        throw new Error(`no system Chromium to print with (${(error as Error).message}): ${installHint('chromium')}`);
      });
      expect(forced.result.browser).toBe('system');
      system = forced.file;
    }
    const npm = await printPdf('npm');
    expect(npm.result.browser).toBe('npm');
    expect(text(npm.file)).toBe(text(system));
  }, 240_000);
});

describe('the PDF as PDF/UA-1', () => {
  it('shows its title and carries the PDF/UA identifier in its XMP packet (pdfinfo)', () => {
    expect(info(pdfFile)).toMatch(new RegExp(`^Title:\\s+${shared.document.meta.title}$`, 'm'));
    const xmp = run('pdfinfo', ['-meta', pdfFile]);
    expect(xmp).toMatch(/<pdfuaid:part>1<\/pdfuaid:part>/);
    expect(xmp).toContain(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${shared.document.meta.title}</rdf:li></rdf:Alt></dc:title>`);
  });

  it('passes veraPDF (PDF/UA-1 profile) where veraPDF is on the PATH', () => {
    const probe = spawnSync('verapdf', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      // veraPDF is not a Debian package and is not installed here: the pdf-ua gate's own checks
      // (test/quality/pdf-gates.test.ts) stand alone. This says so rather than pass silently.
      expect((probe.error as NodeJS.ErrnoException).code).toBe('ENOENT');
      return;
    }
    const report = spawnSync('verapdf', ['--flavour', 'ua1', '--format', 'text', pdfFile], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(report.stdout, report.stdout.slice(0, 4000)).toMatch(/^PASS /m);
  }, 180_000);
});
