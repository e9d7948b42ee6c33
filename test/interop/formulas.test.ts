/**
 * The files of a release whose authorities are named as formulas, opened by LibreOffice Calc with
 * formula evaluation on: it must find no formula anywhere (the CSVs, the OpenDocument and the Excel
 * workbook). The same file without statpress's guard does run, so the check can fail.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support.js';
import { buildHostileRelease } from '../render/workbook/hostile.js';

let out: string;

beforeAll(async () => {
  out = await buildHostileRelease();
}, 120_000);

/** Opens a file in LibreOffice Calc (CSV import with "evaluate formulas" on) and saves it as .ods: its content.xml. */
async function throughLibreOffice(file: string): Promise<string> {
  const dir = tempDir('statpress-lo-');
  const csv = file.endsWith('.csv') ? ['--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true'] : [];
  execFileSync('soffice', ['--headless', ...csv, '--convert-to', 'ods', '--outdir', dir, file], { stdio: 'ignore', timeout: 90_000 });
  const converted = readdirSync(dir).find((f) => f.endsWith('.ods'))!;
  return (await JSZip.loadAsync(readFileSync(join(dir, converted)))).file('content.xml')!.async('string');
}

describe('LibreOffice Calc, formula evaluation on', () => {
  it('opens the CSV files without a single formula', async () => {
    const plain = join(tempDir(), 'plain.csv');
    // The same file without the apostrophes does run: the check can fail.
    writeFileSync(plain, readFileSync(join(out, 'data/latest-judgements.csv'), 'utf8').replace(/(^|,)("?)'/gm, '$1$2'));
    expect(await throughLibreOffice(plain)).toContain('table:formula=');
    for (const file of ['data/latest-judgements.csv', 'data/inspection-history.csv', 'charts/figure-3.csv']) {
      const content = await throughLibreOffice(join(out, file));
      expect(content, file).not.toContain('table:formula=');
      expect(content, file).toContain('cmd|');
    }
  }, 240_000);

  it('opens the OpenDocument workbook without a single formula', async () => {
    expect(await throughLibreOffice(join(out, 'underlying-data.ods'))).not.toContain('table:formula=');
  }, 120_000);

  it('opens the Excel workbook without a single formula', async () => {
    expect(await throughLibreOffice(join(out, 'underlying-data.xlsx'))).not.toContain('table:formula=');
  }, 120_000);
});
