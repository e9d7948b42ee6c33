/**
 * One error type for everything a user can get wrong, carrying where it happened.
 * Only the CLI decides how to print and exit.
 */
export type ErrorCode =
  | 'config'
  | 'file-missing'
  | 'file-empty'
  | 'column-missing'
  | 'bad-value'
  | 'bad-date'
  | 'date-order'
  | 'unknown-authority'
  | 'duplicate-event'
  | 'template'
  | 'template-digit'
  | 'template-claim'
  | 'data-disagrees'
  | 'coverage'
  | 'document'
  | 'query'
  | 'check'
  | 'output';

export interface ErrorLocation {
  file?: string;
  /** 1-based line of the file as a user sees it in an editor (the header is line 1). */
  row?: number;
  /** 1-based line and column of a place in a text file such as a YAML config (from the parser). */
  line?: number;
  col?: number;
  column?: string;
  /** Dotted path of a setting in a config file ("period.asAt", "sources[1].take"). */
  setting?: string;
  value?: string;
}

export class StatpressError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}, hint?: string) {
    super(message);
    this.name = 'StatpressError';
    this.code = code;
    this.location = location;
    if (hint !== undefined) this.hint = hint;
  }

  /**
   * "file.csv, row 12, column "Inspection date", value "2025-02-30": not a real date (expected …)"
   * or, in a config file, "release.yaml, line 9, column 9, setting "period.asAt", value …: …".
   */
  describe(): string {
    const { file, row, line, col, column, setting, value } = this.location;
    const where = [
      file,
      row !== undefined ? `row ${row}` : undefined,
      line !== undefined ? `line ${line}` : undefined,
      col !== undefined ? `column ${col}` : undefined,
      column !== undefined ? `column "${column}"` : undefined,
      setting !== undefined ? `setting "${setting}"` : undefined,
      value !== undefined ? `value ${JSON.stringify(value)}` : undefined,
    ].filter((part) => part !== undefined);
    const head = where.length > 0 ? `${where.join(', ')}: ` : '';
    return `${head}${this.message}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** Collects located errors so a user sees every bad row at once, not one per run. */
export class ErrorList {
  readonly errors: StatpressError[] = [];
  add(error: StatpressError): void {
    this.errors.push(error);
  }
  /** Throws the first error, with the rest summarised in its message, if there are any. */
  throwIfAny(limit = 20): void {
    const [first, ...rest] = this.errors;
    if (!first) return;
    if (rest.length === 0) throw first;
    const shown = this.errors.slice(0, limit).map((e) => `  - ${e.describe()}`);
    const more = this.errors.length > limit ? [`  … and ${this.errors.length - limit} more`] : [];
    throw new StatpressError(
      first.code,
      `${this.errors.length} problems in the input:\n${[...shown, ...more].join('\n')}`,
      {},
    );
  }
}

/** The candidate closest to a misspelt key, if it is close enough to be what was meant. */
export function nearest(key: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(key, c);
    if (!best || d < best.d) best = { key: c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}
