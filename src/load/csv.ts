/**
 * A small RFC 4180 CSV reader that keeps the line number where each record starts, for
 * located errors. Quoted fields may hold commas, quotes ("") and line breaks. It is a tenth of
 * the cost of a general streaming parser on these files, which matters for a cold build, and it
 * hands out one record at a time, so a long history is never held as a grid of strings.
 */
export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
  /** The line it ends on, when a quoted field carries it over several lines. */
  end?: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** The line to fix: where the quote that went wrong was opened. */
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * The records of CSV text, one at a time, skipping blank lines; a leading BOM is ignored.
 *
 * A quote that has no partner makes the rest of the file one long field. Where that field ends
 * (at the end of the file, or at some later quote followed by more text), the error names the
 * line where the quote was opened: that is the line to fix, not the one the reader stopped on.
 */
export function* csvRecords(input: string): Generator<CsvRecord> {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let cells: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  let atRecordStart = true;
  // Where the next quote and carriage return are (Infinity: none), found once and kept.
  let nextQuote = -1;
  let nextReturn = -1;
  while (i <= n) {
    if (atRecordStart) {
      // A line with no quote and no stray carriage return is its fields split on commas: most
      // lines of most files, read without looking at each character.
      if (nextQuote < i) nextQuote = text.indexOf('"', i) === -1 ? Infinity : text.indexOf('"', i);
      if (nextReturn < i) nextReturn = text.indexOf('\r', i) === -1 ? Infinity : text.indexOf('\r', i);
      const newline = text.indexOf('\n', i);
      const end = newline === -1 ? n : newline;
      if (nextQuote > end && (nextReturn > end || (nextReturn === end - 1 && newline !== -1))) {
        const plain = text.slice(i, nextReturn === end - 1 ? end - 1 : end);
        if (plain !== '') yield { line, cells: plain.split(',') };
        line++;
        i = end + 1;
        if (i >= n) break;
        continue;
      }
      recordLine = line;
      atRecordStart = false;
    }
    let value = '';
    if (text.charCodeAt(i) === 34) {
      const quoteLine = line;
      i++;
      for (;;) {
        const next = text.indexOf('"', i);
        if (next === -1) {
          throw new CsvSyntaxError(`a quoted field opened on line ${quoteLine} is never closed (is a quote missing its partner?)`, quoteLine);
        }
        for (let k = text.indexOf('\n', i); k !== -1 && k < next; k = text.indexOf('\n', k + 1)) line++;
        value += text.slice(i, next);
        if (text.charCodeAt(next + 1) === 34) {
          value += '"';
          i = next + 2;
          continue;
        }
        i = next + 1;
        break;
      }
      const after = text.charCodeAt(i);
      if (i < n && after !== 44 && after !== 10 && after !== 13) {
        throw new CsvSyntaxError(
          quoteLine === line
            ? 'text follows a closing quote (a quote inside a quoted field must be doubled: "")'
            : `a quoted field opened on line ${quoteLine} runs on to line ${line} and text follows its closing quote (is a quote on line ${quoteLine} missing its partner?)`,
          quoteLine,
        );
      }
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j++;
      }
      value = text.slice(i, j);
      i = j;
    }
    cells.push(value);
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    // End of record: \r\n, \n, \r or end of text.
    if (c === 13) i++;
    if (text.charCodeAt(i) === 10) i++;
    if (!(cells.length === 1 && cells[0] === '')) yield line === recordLine ? { line: recordLine, cells } : { line: recordLine, cells, end: line };
    cells = [];
    line++;
    atRecordStart = true;
    if (i >= n) break;
  }
}

/** Parses CSV text into records, skipping blank lines; a leading BOM is ignored. */
export function parseCsvText(input: string): CsvRecord[] {
  return [...csvRecords(input)];
}
