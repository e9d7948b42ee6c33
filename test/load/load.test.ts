/**
 * Bad input: each class of problem gives a located error (file, row, column, value, what was
 * expected) and the build stops before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { StatpressError } from '../../src/core/errors.js';
import { loadDataset } from '../../src/load/dataset.js';
import { editedData, releaseVariant, ROOT, tempDir } from '../support.js';
import { loadTemplateSet } from '../../src/narrate/narrate.js';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HISTORY = 'ofsted-la-outcomes/csv-2025/ILACS_inspection_history.csv';

/** Loads the 2025 release with the history file replaced by an edited copy; returns the error. */
function errorWithHistory(edit: (lines: string[]) => void): StatpressError {
  const file = editedData(HISTORY, (text) => {
    const lines = text.split('\n');
    edit(lines);
    return lines.join('\n');
  });
  const config = releaseVariant((c) => {
    c.sources[0].file = file;
  });
  try {
    loadDataset(loadReleaseConfig(config));
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return error as StatpressError;
  }
  throw new Error('expected the load to fail');
}

/** The located message of the error a call throws. */
function describe_(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof StatpressError ? error.describe() : String(error);
  }
  throw new Error('expected an error');
}

/** Replaces the value of one named column on one line (1-based, header = 1). */
function setCell(lines: string[], line: number, column: string, value: string): void {
  const header = lines[0]!.split(',');
  const index = header.indexOf(column);
  // The history rows have no quoted commas before the judgement columns except in the region, so
  // parse simply: split on commas outside quotes.
  const cells = lines[line - 1]!.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
  cells[index] = value;
  lines[line - 1] = cells.slice(0, header.length).join(',');
}

describe('located errors for bad input', () => {
  it('names an unknown grade with the accepted values', () => {
    const error = errorWithHistory((lines) => setCell(lines, 12, 'Overall effectiveness', 'Good-ish'));
    expect(error.code).toBe('bad-value');
    expect(error.describe()).toMatch(/ILACS_inspection_history\.csv, row 12, column "Overall effectiveness", value "Good-ish": unknown grade \(expected one of: Outstanding, Good/);
  });

  it('names a badly written date', () => {
    const error = errorWithHistory((lines) => setCell(lines, 7, 'Inspection date', '31/03/2024'));
    expect(error.code).toBe('bad-date');
    expect(error.describe()).toMatch(/row 7, column "Inspection date", value "31\/03\/2024": not a real date \(expected yyyy-MM-dd\)/);
  });

  it('refuses a web link that is not a web address, so data never become a script link', () => {
    const error = errorWithHistory((lines) => setCell(lines, 5, 'Web link', 'javascript:alert(1)'));
    expect(error.code).toBe('bad-value');
    expect(error.describe()).toMatch(/ILACS_inspection_history\.csv, row 5, column "Web link", value "javascript:alert\(1\)": not a web address \(expected one starting http:\/\/ or https:\/\/\)/);
  });

  it('names an impossible date', () => {
    const error = errorWithHistory((lines) => setCell(lines, 9, 'Publication date', '2023-02-30'));
    expect(error.describe()).toMatch(/row 9, column "Publication date", value "2023-02-30": not a real date/);
  });

  it('names a report published before its inspection', () => {
    const error = errorWithHistory((lines) => setCell(lines, 5, 'Publication date', '2001-01-01'));
    expect(error.code).toBe('date-order');
    expect(error.describe()).toMatch(/row 5, column "Publication date", value "2001-01-01": the report was published before the inspection/);
  });

  it('names an authority code that is not in the register', () => {
    const error = errorWithHistory((lines) => setCell(lines, 20, 'Local authority area code', 'E09999999'));
    expect(error.code).toBe('unknown-authority');
    expect(error.describe()).toMatch(/row 20, column "Local authority area code", value "E09999999": the authority code is not in the register/);
  });

  it('names a duplicated event and where the first copy is', () => {
    const error = errorWithHistory((lines) => lines.splice(3, 0, lines[2]!));
    expect(error.code).toBe('duplicate-event');
    expect(error.describe()).toMatch(/ILACS_inspection_history\.csv, row 4, value "2023-07-10": the same standard inspection of Barking and Dagenham \(E09000002\) on 2023-07-10 is also at .*ILACS_inspection_history\.csv row 3/);
  });

  it('names a missing column and lists the header it found', () => {
    const error = errorWithHistory((lines) => {
      lines[0] = lines[0]!.replace('Inspection date', 'Date inspected');
    });
    expect(error.code).toBe('column-missing');
    expect(error.describe()).toMatch(/row 1, column "Inspection date" or "Inspection\/Visit date": the column is missing \(header has: .*Date inspected/);
  });

  it('refuses an empty file and a header without rows', () => {
    const empty = errorWithHistory((lines) => lines.splice(0, lines.length));
    expect(empty.code).toBe('file-empty');
    expect(empty.describe()).toMatch(/ILACS_inspection_history\.csv: the file is empty/);
    const headerOnly = errorWithHistory((lines) => lines.splice(1, lines.length));
    expect(headerOnly.describe()).toMatch(/has a header but no data rows/);
  });

  it('lists every problem at once, not only the first', () => {
    const error = errorWithHistory((lines) => {
      setCell(lines, 12, 'Overall effectiveness', 'Good-ish');
      setCell(lines, 30, 'Inspection date', 'yesterday');
    });
    expect(error.message).toMatch(/2 problems in the input/);
    expect(error.message).toMatch(/row 12/);
    expect(error.message).toMatch(/row 30/);
  });

  it('refuses a misspelt setting instead of quietly using a default, and says what was meant', () => {
    const typo = releaseVariant((c) => {
      c.period.publicationLagMonth = c.period.publicationLagMonths;
      delete c.period.publicationLagMonths;
      c.sources[1].takes = c.sources[1].take;
      delete c.sources[1].take;
    });
    const message = describe_(() => loadReleaseConfig(typo));
    expect(message).toMatch(/2 problems in the input/);
    expect(message).toMatch(/release\.yaml, line \d+, column \d+, setting "period\.publicationLagMonth": unknown setting "publicationLagMonth" \(did you mean "publicationLagMonths"\?\)/);
    expect(message).toMatch(/line \d+, column \d+, setting "sources\[1\]\.takes": unknown setting "takes" \(did you mean "take"\?\)/);
    // A required setting written wrongly is missing, and the message points at what was written.
    const title = releaseVariant((c) => {
      c.meta.titel = c.meta.title;
      delete c.meta.title;
    });
    expect(describe_(() => loadReleaseConfig(title))).toMatch(/line \d+, column \d+, setting "meta\.title", value "\(missing\)": expected a non-empty string \(found "titel": is it misspelt\?\)/);
    // The same for a template set.
    const dir = tempDir();
    cpSync(join(ROOT, 'templates/ofsted-main-findings'), dir, { recursive: true });
    writeFileSync(join(dir, 'template-set.yaml'), readFileSync(join(dir, 'template-set.yaml'), 'utf8').replace(/^(\s+)subtitle:/m, '$1subtitel:'));
    expect(describe_(() => loadTemplateSet(dir))).toMatch(/template-set\.yaml, line \d+, column \d+, setting "figures\[0\]\.subtitel": unknown setting "subtitel" \(did you mean "subtitle"\?\)/);
  });

  it('refuses a release published before the reports it counts', () => {
    const early = releaseVariant((c) => {
      c.meta.published = '2025-05-01';
    });
    expect(describe_(() => loadReleaseConfig(early))).toMatch(/line \d+, column \d+, setting "meta\.published", value "2025-05-01": the release is published before its publication cut-off \(2025-06-30\)/);
    // Another as-at date takes its own edition's publication date, which is not checked against this one's cut-off.
    expect(loadReleaseConfig(early, { asAt: '2024-03-31' }).meta.published).toBe('2024-08-30');
  });

  it('names a missing data file and a broken release config', () => {
    const missing = releaseVariant((c) => {
      c.sources[0].file = 'no/such/file.csv';
    });
    expect(describe_(() => loadDataset(loadReleaseConfig(missing)))).toMatch(/no\/such\/file\.csv: file not found/);
    const dir = tempDir();
    const broken = join(dir, 'release.yaml');
    writeFileSync(broken, 'id: x\nperiod: [unclosed\n');
    expect(() => loadReleaseConfig(broken)).toThrow(StatpressError);
    const badDate = releaseVariant((c) => {
      c.period.asAt = '2025-02-30';
    });
    expect(describe_(() => loadReleaseConfig(badDate))).toMatch(/line \d+, column \d+, setting "period\.asAt", value "2025-02-30": expected a date written YYYY-MM-DD/);
  });
});
