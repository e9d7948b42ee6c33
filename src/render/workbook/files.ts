/**
 * Every file of a release's underlying data, by output path, for the formats asked for: the
 * workbook as .ods and .xlsx, and the tidy CSVs with their guidance. The CSVs are streamed: each
 * is written a line at a time as its rows are made.
 */
import type { StreamedOutput } from '../../platform/output.js';
import { dataGuidance, inPieces, tableCsvLines, writeOds, type Workbook } from './workbook.js';
import { writeXlsx } from './xlsx.js';

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
    for (const t of book.tables) yield [`data/${t.id}.csv`, streamed(() => tableCsvLines(t))];
    yield ['data/data-guidance.txt', dataGuidance(book)];
  }
}
