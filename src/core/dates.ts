/**
 * Calendar dates as ISO strings (YYYY-MM-DD). Strings compare correctly with < and >, carry no
 * time zone, and print without surprises, which is all a release needs.
 */
export type IsoDate = string;

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** How much of a date a source gives: a day, or only a month or a year (then it means the period). */
export type DatePrecision = 'day' | 'month' | 'year';

/** A date as a source gives it: the first and last day it can mean (the same day for a full date). */
export interface DatePeriod {
  from: IsoDate;
  until: IsoDate;
  precision: DatePrecision;
}

const PATTERN_TOKEN = /yyyy|yy|MM|dd/g;

/**
 * What is wrong with a date pattern, if anything: it must name a year (a date without one cannot
 * be placed), and a day only with its month. `yyyy`, `MM/yyyy` and `yyyy-MM` are allowed: such a
 * date means the whole year or month.
 */
export function datePatternProblem(pattern: string): string | undefined {
  const tokens = pattern.match(PATTERN_TOKEN) ?? [];
  const count = (t: string) => tokens.filter((x) => x === t).length;
  if (count('yyyy') + count('yy') === 0) return `the date pattern "${pattern}" has no year (yyyy or yy): a date without its year cannot be placed`;
  if (count('yyyy') + count('yy') > 1 || count('MM') > 1 || count('dd') > 1) return `the date pattern "${pattern}" names a part of the date twice`;
  if (count('dd') === 1 && count('MM') === 0) return `the date pattern "${pattern}" has a day but no month (MM)`;
  if (/[A-Za-z]/.test(pattern.replace(PATTERN_TOKEN, ''))) return `the date pattern "${pattern}" has letters other than yyyy, yy, MM and dd`;
  return undefined;
}

/**
 * Parses a date in a declared pattern made of `yyyy`, `yy`, `MM`, `dd` and separators
 * (e.g. `dd/MM/yy`, `MM/yyyy`, `yyyy`). Two-digit years are 20yy. A pattern without a day gives
 * the month, one without a month the year, as a period. Undefined for anything else.
 */
export function parseDatePeriod(text: string, pattern = 'yyyy-MM-dd'): DatePeriod | undefined {
  const tokens: string[] = [];
  const source = pattern.replace(/yyyy|yy|MM|dd|[.*+?^${}()|[\]\\]/g, (token) => {
    if (token === 'yyyy') { tokens.push('y4'); return '(\\d{4})'; }
    if (token === 'yy') { tokens.push('y2'); return '(\\d{2})'; }
    if (token === 'MM') { tokens.push('m'); return '(\\d{1,2})'; }
    if (token === 'dd') { tokens.push('d'); return '(\\d{1,2})'; }
    return `\\${token}`;
  });
  const match = new RegExp(`^${source}$`).exec(text.trim());
  if (!match) return undefined;
  let year = -1, month = 0, day = 0;
  tokens.forEach((token, i) => {
    const n = Number(match[i + 1]);
    if (token === 'y4') year = n;
    else if (token === 'y2') year = 2000 + n;
    else if (token === 'm') month = n;
    else day = n;
  });
  if (year < 0) return undefined;
  const iso = (m: number, d: number) => `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  // Which parts the pattern names, not what was read: "00" for a day is no day, not a month.
  if (!tokens.includes('m')) return tokens.includes('d') ? undefined : { from: iso(1, 1), until: iso(12, 31), precision: 'year' };
  if (month < 1 || month > 12) return undefined;
  if (!tokens.includes('d')) return { from: iso(month, 1), until: iso(month, daysInMonth(year, month)), precision: 'month' };
  const date = iso(month, day);
  return isIsoDate(date) ? { from: date, until: date, precision: 'day' } : undefined;
}

/** Parses a full date (a day) in a declared pattern; see `parseDatePeriod`. */
export function parseDate(text: string, pattern = 'yyyy-MM-dd'): IsoDate | undefined {
  const period = parseDatePeriod(text, pattern);
  return period?.precision === 'day' ? period.from : undefined;
}

/** A date as a reader should read it: "31 March 2025", "March 2009" or "2009". */
export function formatPeriod(from: IsoDate, until: IsoDate): string {
  if (from === until) return formatDate(from);
  if (from.slice(0, 7) === until.slice(0, 7)) return formatMonth(from);
  return from.slice(0, 4);
}

/** "31 March 2025": GOV.UK style, no ordinal, no comma. */
export function formatDate(iso: IsoDate): string {
  if (!isIsoDate(iso)) throw new Error(`not an ISO date: ${iso}`);
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** "March 2025". */
export function formatMonth(iso: IsoDate): string {
  const [year, month] = iso.split('-').map(Number) as [number, number];
  return `${MONTHS[month - 1]} ${year}`;
}

/**
 * Adds whole months, keeping to the end of the month when the start is a month end
 * (31 March + 3 months = 30 June; 30 June - 3 months = 31 March), as quarter ends behave.
 */
export function addMonths(iso: IsoDate, months: number): IsoDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  const isMonthEnd = day === daysInMonth(year, month);
  const index = year * 12 + (month - 1) + months;
  const newYear = Math.floor(index / 12);
  const newMonth = (index % 12) + 1;
  const last = daysInMonth(newYear, newMonth);
  const newDay = isMonthEnd ? last : Math.min(day, last);
  return `${newYear}-${String(newMonth).padStart(2, '0')}-${String(newDay).padStart(2, '0')}`;
}

/** The day after `iso`. */
export function addDays(iso: IsoDate, days: number): IsoDate {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
