/** Every file of a release's underlying data, by output path: the workbook in both formats, the CSVs and the guidance. */
import { dataGuidance, tableCsv, writeOds, type Workbook } from './workbook.js';
import { writeXlsx } from './xlsx.js';

export async function underlyingDataFiles(book: Workbook): Promise<Map<string, string | Uint8Array>> {
  const files = new Map<string, string | Uint8Array>();
  files.set('underlying-data.ods', await writeOds(book));
  files.set('underlying-data.xlsx', await writeXlsx(book));
  for (const t of book.tables) files.set(`data/${t.id}.csv`, tableCsv(t));
  files.set('data/data-guidance.txt', dataGuidance(book));
  return files;
}
