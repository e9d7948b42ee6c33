import { describe, expect, it } from 'vitest';
import { formatFraction, formatNumber, formatPercent, formatPoints, formatPointsApprox, formatWord, percentValue, roundHalfUp } from '../../src/narrate/format.js';
import { addMonths, formatDate, isIsoDate, parseDate } from '../../src/core/dates.js';

describe('roundHalfUp', () => {
  it('rounds halves away from zero, including binary fractions', () => {
    expect(roundHalfUp(0.5)).toBe(1);
    expect(roundHalfUp(2.5)).toBe(3);
    expect(roundHalfUp(-2.5)).toBe(-3);
    expect(roundHalfUp(1.005, 2)).toBe(1.01);
    expect(roundHalfUp(0.145, 2)).toBe(0.15);
    expect(roundHalfUp(100 * (7 / 56))).toBe(13); // 12.5
    expect(roundHalfUp(0.1 + 0.2, 1)).toBe(0.3);
  });
  it('gives the printed percentage of a share', () => {
    expect(percentValue(36 / 153)).toBe(24);
    expect(percentValue(1 / 8)).toBe(13);
    expect(formatPercent(0.0555)).toBe('6%');
    expect(formatPercent(0.006, 1)).toBe('0.6%');
  });
});

describe('number wording', () => {
  it('groups thousands with commas and never pads', () => {
    expect(formatNumber(2548)).toBe('2,548');
    expect(formatNumber(12000000)).toBe('12,000,000');
    expect(formatNumber(-1234.5, 1)).toBe('-1,234.5');
    expect(formatNumber(0)).toBe('0');
  });
  it('words percentage-point changes to agree with the exact value', () => {
    expect(formatPointsApprox(3.66)).toBe('almost 4 percentage points');
    expect(formatPointsApprox(3.39)).toBe('just over 3 percentage points');
    expect(formatPointsApprox(-8.22)).toBe('just over 8 percentage points');
    expect(formatPointsApprox(1.16)).toBe('just over 1 percentage point');
    expect(formatPointsApprox(0.86)).toBe('almost 1 percentage point');
    expect(formatPointsApprox(0.96)).toBe('1 percentage point');
    expect(formatPointsApprox(4.0)).toBe('4 percentage points');
    expect(formatPointsApprox(2.5)).toBe('2.5 percentage points');
    expect(formatPoints(1.2)).toBe('1 percentage point');
    expect(formatPoints(-3.03)).toBe('3 percentage points');
  });
  it('uses words for small counts and fractions a reader knows', () => {
    expect(formatWord(4)).toBe('four');
    expect(formatWord(12)).toBe('12');
    // 29% is too far from a quarter (25%) or a third (33%) to be called either.
    expect(formatFraction(45 / 153)).toBeNull();
    expect(formatFraction(0.27)).toBe('just over a quarter');
    expect(formatFraction(0.285)).toBe('just over a quarter');
    expect(formatFraction(0.25)).toBe('a quarter');
    expect(formatFraction(0.2)).toBeNull();
    expect(formatFraction(0.48)).toBe('just under half');
    expect(formatFraction(0.5)).toBe('half');
  });
});

describe('dates', () => {
  it('prints GOV.UK dates without ordinals or commas', () => {
    expect(formatDate('2025-03-31')).toBe('31 March 2025');
    expect(formatDate('2024-04-01')).toBe('1 April 2024');
  });
  it('parses declared patterns and rejects impossible dates', () => {
    expect(parseDate('05/08/25', 'dd/MM/yy')).toBe('2025-08-05');
    expect(parseDate('9/6/2025', 'dd/MM/yyyy')).toBe('2025-06-09');
    expect(parseDate('2025-02-30')).toBeUndefined();
    expect(parseDate('2025-13-01')).toBeUndefined();
    expect(parseDate('31 March 2025')).toBeUndefined();
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
  });
  it('moves by months keeping month ends', () => {
    expect(addMonths('2025-03-31', 3)).toBe('2025-06-30');
    expect(addMonths('2025-06-30', -3)).toBe('2025-03-31');
    expect(addMonths('2025-03-31', -12)).toBe('2024-03-31');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-01-15', 1)).toBe('2025-02-15');
  });
});
