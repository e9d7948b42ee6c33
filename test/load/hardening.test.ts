/**
 * Input that used to be accepted and is now refused, each with its place: rows with too few or
 * too many fields, implausible dates, values longer than a spreadsheet keeps, invisible and
 * text-reordering characters, and a stray quote, located at the row where it was opened.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { StatpressError } from '../../src/core/errors.js';
import { loadDataset } from '../../src/load/dataset.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { DATA, editedData, releaseVariant, tempDir } from '../support.js';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';
const REGISTER = 'la-lookup/england_153_la_lookup.csv';

/** The located message of the error loading a variant throws. */
function loadError(edit: (config: Record<string, any>) => void): string {
  try {
    loadDataset(loadReleaseConfig(releaseVariant(edit)));
  } catch (error) {
    if (!(error instanceof StatpressError)) throw error;
    return error.describe();
  }
  throw new Error('expected the load to fail');
}

/** The fields of one line of CSV, read by csv-parse (not the reader under test). */
const fields = (line: string): string[] => (parseCsv(line) as string[][])[0]!;
const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** The history with line `n` (1-based) rewritten from its fields. */
function historyWith(n: number, edit: (cells: string[], header: string[]) => string[], raw = false): string {
  return editedData(HISTORY, (text) => {
    const lines = text.split('\n');
    const header = fields(lines[0]!);
    const cells = edit(fields(lines[n - 1]!), header);
    lines[n - 1] = (raw ? cells : cells.map(quote)).join(',');
    return lines.join('\n');
  });
}

function withHistory(file: string) {
  return (c: Record<string, any>) => {
    c.sources[0].file = file;
  };
}

function withRegister(edit: (text: string) => string) {
  const file = editedData(REGISTER, edit);
  return (c: Record<string, any>) => {
    c.register.authorities.file = file;
  };
}

const header = fields(readFileSync(join(DATA, HISTORY), 'utf8').split('\n')[0]!);

describe('rows with too few or too many fields', () => {
  it('refuses a row with a field missing instead of reading the missing cell as blank', () => {
    const file = historyWith(9, (cells) => cells.slice(0, -1));
    const message = loadError(withHistory(file));
    expect(message).toContain(`ILACS_inspection_history.csv, row 9: the row has ${header.length - 1} fields but the header has ${header.length}`);
  });

  it('refuses a row with a field too many, even an empty one', () => {
    expect(loadError(withHistory(historyWith(14, (cells) => [...cells, 'Good'])))).toContain(`row 14: the row has ${header.length + 1} fields but the header has ${header.length}`);
    expect(loadError(withHistory(historyWith(15, (cells) => [...cells, ''])))).toContain(`row 15: the row has ${header.length + 1} fields`);
  });

  it('lists a bad row of a source that allows bad rows as a warning and leaves it out', () => {
    const file = historyWith(9, (cells) => cells.slice(0, 5));
    const config = loadReleaseConfig(releaseVariant((c) => {
      c.sources[0].file = file;
      c.sources[0].invalidRows = 'warn';
    }));
    const dataset = loadDataset(config);
    expect(dataset.warnings.join('\n')).toContain('row 9: the row has 5 fields');
    expect(dataset.events.some((e) => e.origin.file.endsWith('ILACS_inspection_history.csv') && e.origin.row === 9)).toBe(false);
    expect(dataset.events.some((e) => e.origin.file.endsWith('ILACS_inspection_history.csv') && e.origin.row === 10)).toBe(true);
  });
});

describe('a stray quote', () => {
  it('is reported at the row where the quote was opened, not where the reader stopped', () => {
    // Row 4's authority name gets an opening quote with no partner; the next quote in the file
    // is many rows further on.
    const text = readFileSync(join(DATA, HISTORY), 'utf8');
    const lines = text.split('\n');
    const nextQuoted = lines.findIndex((line, i) => i > 3 && line.includes('"')) + 1;
    expect(nextQuoted).toBeGreaterThan(5);
    const file = historyWith(4, (cells) => cells.map((c, i) => (i === 2 ? `"${c}` : quote(c))), true);
    const message = loadError(withHistory(file));
    expect(message).toMatch(/ILACS_inspection_history\.csv, row 4[,:]/);
    expect(message).not.toContain(`row ${nextQuoted}:`);
    expect(message).toMatch(/quote/);
  });
});

describe('implausible dates', () => {
  it('refuses a year mistyped as 1018, and one far in the future, naming the range', () => {
    // Default range: 1900-01-01 to the as-at date (31 March 2025) plus one year.
    const ancient = loadError(withHistory(historyWith(7, (cells) => cells.map((c, i) => (header[i] === 'Inspection date' ? '1018-05-14' : c)))));
    expect(ancient).toContain('row 7, column "Inspection date", value "1018-05-14": the date is outside the plausible range 1900-01-01 to 2026-03-31');
    const future = loadError(withHistory(historyWith(8, (cells) => cells.map((c, i) => (header[i] === 'Publication date' ? '2205-01-01' : c)))));
    expect(future).toContain('row 8, column "Publication date", value "2205-01-01": the date is outside the plausible range');
  });

  it('takes the range a source declares', () => {
    const file = historyWith(7, (cells) => cells.map((c, i) => (header[i] === 'Inspection date' ? '1018-05-14' : c)));
    const dataset = loadDataset(loadReleaseConfig(releaseVariant((c) => {
      c.sources[0].file = file;
      c.sources[0].dates = { from: '1000-01-01' };
    })));
    expect(dataset.events.find((e) => e.origin.row === 7 && e.origin.file.endsWith('ILACS_inspection_history.csv'))!.date).toBe('1018-05-14');
  });

  it('applies the release\'s range to the register\'s dates', () => {
    const file = editedData('la-lookup/la-changes.csv', (t) => t.replace('2019-03-31', '1019-03-31'));
    const message = loadError((c) => {
      c.register.changes.file = file;
    });
    expect(message).toMatch(/la-changes\.csv, row \d+, column "existed_until", value "1019-03-31": the date is outside the plausible range 1900-01-01 to 2026-03-31/);
  });
});

describe('length limits', () => {
  it('refuses a 5,000-character name, and takes it when the release allows it', () => {
    const long = 'N'.repeat(5000);
    const edit = withRegister((t) => t.replace(',Barnet,Barnet,', `,Barnet,${long},`));
    expect(loadError(edit)).toMatch(/england_153_la_lookup\.csv, row 3, column "ofsted_la_name", value "N{80}…": the value is 5,000 characters long; a text value may have at most 255/);
    const allowed = loadDataset(loadReleaseConfig(releaseVariant((c) => {
      edit(c);
      c.limits = { textLength: 5000 };
    })));
    expect(allowed.authorities.find((a) => a.code === 'E09000003')!.name).toBe(long);
  });

  it('refuses a web link longer than Excel keeps, and a limit above Excel\'s', () => {
    const link = `https://reports.ofsted.gov.uk/${'a'.repeat(1_000_000)}`;
    const file = historyWith(5, (cells) => cells.map((c, i) => (header[i] === 'Web link' ? link : c)));
    expect(loadError(withHistory(file))).toContain(`row 5, column "Web link", value "${link.slice(0, 80)}…": the value is ${link.length.toLocaleString('en-GB')} characters long; a web link may have at most 2,079`);
    const tooHigh = releaseVariant((c) => {
      c.limits = { linkLength: 5000, textLength: 40000 };
    });
    let message = '';
    try {
      loadReleaseConfig(tooHigh);
    } catch (error) {
      message = (error as StatpressError).describe();
    }
    expect(message).toMatch(/setting "limits\.linkLength", value "5000": Excel's limit for a link is 2,079 characters/);
    expect(message).toMatch(/setting "limits\.textLength", value "40000": Excel's limit for a cell is 32,767 characters/);
  });
});

describe('invisible characters', () => {
  it('refuses a right-to-left override in a name, with its position, and shows it as a code', () => {
    const message = loadError(withRegister((t) => t.replace(',Barnet,Barnet,', ',Barnet,Bar\u202enet,')));
    expect(message).toContain('england_153_la_lookup.csv, row 3, column "ofsted_la_name", value "Bar<U+202E>net": character 4 of the value is U+202E (right-to-left override)');
    // The message itself holds no character that would reorder the terminal's line.
    expect(message).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('refuses isolates, zero-width spaces and control characters, counting characters as a reader does', () => {
    expect(loadError(withRegister((t) => t.replace(',Barnet,Barnet,', ',Barnet,\u{1F600}B\u2067arnet,')))).toContain('character 3 of the value is U+2067 (right-to-left isolate)');
    expect(loadError(withRegister((t) => t.replace(',Barnet,Barnet,', ',Barnet,Bar\u200bnet,')))).toContain('character 4 of the value is U+200B (zero width space)');
    expect(loadError(withRegister((t) => t.replace(',Barnet,Barnet,', ',Barnet,Barn\u0007et,')))).toContain('character 5 of the value is U+0007 (bell)');
  });

  it('refuses one in a header, at row 1', () => {
    const message = loadError(withHistory(editedData(HISTORY, (t) => t.replace('Local authority name', 'Local authority\u202dname'))));
    expect(message).toMatch(/ILACS_inspection_history\.csv, row 1, column "column 3", value "Local authority<U\+202D>name": character 16 of the value is U\+202D \(left-to-right override\)/);
  });

  it('keeps the characters ordinary names are written with', () => {
    const names = ['Bárnet', 'Barnet\u00adshire', 'Ynys Môn', 'Barnet \u200d\u{1F468}\u200d\u{1F469}', 'Barnet’s'];
    for (const name of names) {
      const dataset = loadDataset(loadReleaseConfig(releaseVariant(withRegister((t) => t.replace(',Barnet,Barnet,', `,Barnet,${name},`)))));
      expect(dataset.authorities.find((a) => a.code === 'E09000003')!.name).toBe(name);
    }
  });
});

describe('data files outside the data root', () => {
  it('are refused unless the release says so, before anything is read from them', () => {
    const dir = tempDir();
    const secret = join(dir, 'secret.csv');
    writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    const variant = releaseVariant((c) => {
      delete c.allowDataOutsideRoot;
      c.register.authorities.file = secret;
    }, dir);
    let message = '';
    try {
      loadReleaseConfig(variant);
    } catch (error) {
      message = (error as StatpressError).describe();
    }
    expect(message).toMatch(/release\.yaml, line \d+, column \d+, setting "register\.authorities\.file", value ".*secret\.csv": the file is outside dataRoot/);
    expect(message).toContain('allowDataOutsideRoot: true');
    expect(message).not.toContain('root:x');
  });
});
