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

/**
 * Parses a date in a declared pattern made of `yyyy`, `yy`, `MM`, `dd` and separators
 * (e.g. `dd/MM/yy`). Two-digit years are 20yy. Returns undefined for anything else.
 */
export function parseDate(text: string, pattern = 'yyyy-MM-dd'): IsoDate | undefined {
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
  let year = 0, month = 0, day = 0;
  tokens.forEach((token, i) => {
    const n = Number(match[i + 1]);
    if (token === 'y4') year = n;
    else if (token === 'y2') year = 2000 + n;
    else if (token === 'm') month = n;
    else day = n;
  });
  const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
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
