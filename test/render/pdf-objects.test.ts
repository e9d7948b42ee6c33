/**
 * The PDF object reader and writer: values read back as written, an incremental update that
 * leaves the original bytes in place, and a content stream whose untagged painting is marked as
 * an artifact without touching what was tagged.
 */
import { describe, expect, it } from 'vitest';
import { contentOps, markUntaggedAsArtifacts, readContent } from '../../src/render/pdf-content.js';
import { decodeText, name, parseValue, PdfFile, PdfName, PdfRef, PdfString, serialize, textString } from '../../src/render/pdf-objects.js';

const MINI = [
  '%PDF-1.4',
  '1 0 obj\n<</Type /Catalog /Pages 2 0 R /Lang (en-GB)>>\nendobj',
  '2 0 obj\n<</Type /Pages /Kids [3 0 R] /Count 1>>\nendobj',
  '3 0 obj\n<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R>>\nendobj',
  '4 0 obj\n<</Length 40>>\nstream\n/P <</MCID 0>> BDC 0 0 10 10 re f EMC\n\nendstream\nendobj',
  'trailer\n<</Size 5 /Root 1 0 R>>\nstartxref\n0\n%%EOF\n',
].join('\n');

describe('PDF objects', () => {
  it('reads names, numbers, strings, references, arrays and dictionaries, and writes them back', () => {
    const value = parseValue('<</A [1 -2.5 .5 (a\\(b\\)c) <FEFF0041> /N#20x 3 0 R true null] /B <</C /D>>>>');
    expect(serialize(value)).toBe('<</A [1 -2.5 0.5 (a\\(b\\)c) <FEFF0041> /N#20x 3 0 R true null] /B <</C /D>>>>');
    const a = (value as Map<string, unknown>).get('A') as unknown[];
    expect(a[5]).toEqual(new PdfName('N x'));
    expect(a[6]).toEqual(new PdfRef(3, 0));
    expect(decodeText(a[4] as PdfString)).toBe('A');
    expect(decodeText(textString('Glossary – 31 March 2025'))).toBe('Glossary – 31 March 2025');
  });

  it('appends changes as an incremental update, keeping every original byte', () => {
    const file = new PdfFile(Buffer.from(MINI, 'latin1'));
    expect(file.catalog.get('Lang')).toEqual(new PdfString('en-GB'));
    file.catalog.set('PageMode', name('UseOutlines'));
    file.update(1);
    const meta = file.add(new Map([['Type', name('Metadata')]]), '<x/>');
    const out = Buffer.from(file.save()).toString('latin1');
    expect(out.startsWith(MINI)).toBe(true);
    const again = new PdfFile(Buffer.from(out, 'latin1'));
    expect(again.catalog.get('PageMode')).toEqual(name('UseOutlines'));
    expect(again.objects.get(meta.num)?.stream).toBe('<x/>');
    expect(again.trailer.get('Prev')).toBe(0);
    expect(again.trailer.get('Size')).toBe(6);
  });
});

describe('content streams', () => {
  const stream = 'q 1 0 0 1 0 0 cm 0.9 g 0 0 200 100 re f Q /P <</MCID 0>> BDC BT /F1 10 Tf 1 0 0 1 20 50 Tm <00410042> Tj ET EMC 0 0 1 RG 10 10 m 190 10 l S';

  it('reads operators with their operands', () => {
    const ops = contentOps(stream).map((o) => o.op);
    expect(ops).toEqual(['q', 'cm', 'g', 're', 'f', 'Q', 'BDC', 'BT', 'Tf', 'Tm', 'Tj', 'ET', 'EMC', 'RG', 'm', 'l', 'S']);
  });

  it('places tagged text and finds the painting outside marked content', () => {
    const content = readContent(stream, 100);
    const box = content.marked.get(0)!;
    // Text at y = 50 (from the bottom) of a 100-point page, 10 points high.
    expect(box.top).toBeCloseTo(100 - 50 - 9, 5);
    expect(box.bottom).toBeCloseTo(100 - 50 + 2, 5);
    expect(box.left).toBe(20);
    expect(content.untagged.count).toBe(2);
  });

  it('marks untagged painting as artifacts and leaves tagged content as it was', () => {
    const marked = markUntaggedAsArtifacts(stream);
    expect(marked).toContain('/P <</MCID 0>> BDC BT /F1 10 Tf 1 0 0 1 20 50 Tm <00410042> Tj ET EMC');
    const content = readContent(marked, 100);
    expect(content.untagged.count).toBe(0);
    expect(content.marked.get(0)).toEqual(readContent(stream, 100).marked.get(0));
    expect(content.artifacts).toBeDefined();
    expect(markUntaggedAsArtifacts(marked)).toBe(marked);
  });
});
