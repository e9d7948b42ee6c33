/**
 * Every file of a release's underlying data, by output path, for the formats asked for: the
 * workbook as .ods and .xlsx, and the tidy CSVs with their guidance. The CSVs are streamed: each
 * is written a line at a time as its rows are made.
 */
import type { StreamedOutput } from '../../platform/output.js';
import { dataGuidance, inPieces, tableCsvLines, writeOds, type Workbook } from './workbook.js';
import { writeXlsx } from './xlsx.js';
import { writeZip, type ZipPart } from './zip.js';

/** Every CSV file and the data guidance, in one zip. */
export const CSV_ZIP = 'data/underlying-data-csv.zip';

export type DataFormat = 'ods' | 'xlsx' | 'csv';

/** A CSV written as its lines are made, in pieces of about 64 KB. */
function streamed(lines: () => Iterable<string>): StreamedOutput {
  return {
    streamed: true,
    async *chunks() {
      yield* inPieces(lines());
    },
  };
}

export async function* underlyingDataFiles(book: Workbook, formats: readonly DataFormat[] = ['ods', 'xlsx', 'csv']): AsyncGenerator<[string, Uint8Array | string | StreamedOutput]> {
  // The two workbooks are made side by side: while zlib compresses one (in a thread of its own),
  // the rows of the other are made.
  const [ods, xlsx] = await Promise.all([formats.includes('ods') ? writeOds(book) : undefined, formats.includes('xlsx') ? writeXlsx(book) : undefined]);
  if (ods) yield ['underlying-data.ods', ods];
  if (xlsx) yield ['underlying-data.xlsx', xlsx];
  if (formats.includes('csv')) {
    const guidance = dataGuidance(book);
    for (const t of book.tables) yield [`data/${t.id}.csv`, streamed(() => tableCsvLines(t))];
    yield ['data/data-guidance.txt', guidance];
    // The zip's CSVs are made again as they are compressed, so no table is held whole.
    const parts: ZipPart[] = [
      ...book.tables.map((t): ZipPart => ({ name: `${t.id}.csv`, content: () => inPieces(tableCsvLines(t)) })),
      { name: 'data-guidance.txt', content: guidance },
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield [CSV_ZIP, await writeZip(parts, new Date(`${book.meta.published}T00:00:00Z`))];
  }
}
