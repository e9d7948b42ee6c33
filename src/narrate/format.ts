/**
 * Number formatting by GOV.UK and Analysis Function rules. Every number a reader sees is made
 * here, once, during narrate; renderers only print the text.
 */

/**
 * Rounds half away from zero at `dp` decimal places. Shifting by exponent notation avoids the
 * binary error of `x * 100` (1.005 stays 1.005, so it rounds to 1.01 as a reader expects), and
 * the 15-significant-digit pass removes noise such as 0.1 + 0.2.
 */
export function roundHalfUp(value: number, dp = 0): number {
  if (!Number.isFinite(value)) throw new Error(`cannot round ${value}`);
  const clean = Number(value.toPrecision(15));
  const magnitude = Math.abs(clean);
  const shifted = Math.round(Number(`${magnitude}e${dp}`));
  const result = Number(`${shifted}e-${dp}`);
  return clean < 0 && result !== 0 ? -result : result;
}

/** 2,548 — thousands separated by commas; negative with a minus sign. */
export function formatNumber(value: number, dp = 0): string {
  const rounded = roundHalfUp(value, dp);
  const [whole, fraction] = Math.abs(rounded).toFixed(dp).split('.') as [string, string?];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** Rounded percentage of a share (0 to 1) as a number: the value printed in text, tables and charts. */
export function percentValue(share: number, dp = 0): number {
  return roundHalfUp(share * 100, dp);
}

/** "24%" from a share of 0.2353. */
export function formatPercent(share: number, dp = 0): string {
  return `${formatNumber(share * 100, dp)}%`;
}

/** "1 percentage point", "3 percentage points". */
export function pointsUnit(value: number): string {
  return Math.abs(value) === 1 ? 'percentage point' : 'percentage points';
}

/**
 * Approximate wording for a change in percentage points that agrees with the exact value
 * (conventions: "almost 4" for 3.6 to 3.9, "just over 3" for 3.1 to 3.4). The magnitude only:
 * the direction is a separate word chosen by the template. Works on the value rounded to one
 * decimal place, so the wording and a one-decimal figure can never disagree.
 */
export function formatPointsApprox(points: number): string {
  const tenths = Math.round(roundHalfUp(Math.abs(points), 1) * 10);
  const whole = Math.floor(tenths / 10);
  const rest = tenths % 10;
  if (rest === 0) return `${whole} ${pointsUnit(whole)}`;
  if (rest <= 4) return whole === 0 ? `less than half a percentage point` : `just over ${whole} ${pointsUnit(whole)}`;
  if (rest === 5) return `${whole}.5 percentage points`;
  return `almost ${whole + 1} ${pointsUnit(whole + 1)}`;
}

/** "3 percentage points": the magnitude rounded to whole points. */
export function formatPoints(points: number, dp = 0): string {
  const magnitude = roundHalfUp(Math.abs(points), dp);
  return `${formatNumber(magnitude, dp)} ${pointsUnit(magnitude)}`;
}

const SMALL = ['none', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** "one" to "nine" in words, larger numbers as numerals: for the start of a clause. */
export function formatWord(value: number): string {
  return Number.isInteger(value) && value >= 0 && value < SMALL.length ? SMALL[value]! : formatNumber(value);
}

/**
 * A share in words, where a common fraction describes it truly: "a quarter" when the share is
 * within half a point of it (so its percentage prints as the fraction's), "just over a quarter"
 * up to 3.5 points above (25% to 28% for a quarter), "just under a quarter" up to 3.5 points
 * below. Null where no fraction is that close: the caller prints the percentage instead.
 */
export function formatFraction(share: number): string | null {
  const s = share * 100;
  for (const [f, words] of FRACTIONS) {
    const d = s - f;
    if (Math.abs(d) < 0.5) return words;
    if (d > 0 && d <= 3.5) return `just over ${words}`;
    if (d < 0 && d >= -3.5) return `just under ${words}`;
  }
  return null;
}

/** Common fractions (in percent) and their words, in increasing order. */
export const FRACTIONS: ReadonlyArray<readonly [number, string]> = [
  [100 / 4, 'a quarter'], [100 / 3, 'a third'], [100 / 2, 'half'], [200 / 3, 'two thirds'], [300 / 4, 'three quarters'],
];
