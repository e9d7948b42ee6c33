/**
 * The sweep over quarter-ends: a sample of dates from before, inside and after what the 2025
 * release's data cover. No date ends in an internal error; every covered date builds with all
 * document gates passing; every other date is refused with a located reason.
 */
import { describe, expect, it } from 'vitest';
import { quarterEnds, sweepRelease } from '../../src/tools/sweep.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { join } from 'node:path';
import { RELEASE_2025, ROOT } from '../support.js';

describe('statpress sweep', () => {
  it('lists the quarter-ends in a span', () => {
    expect(quarterEnds('2024-02-01', '2025-01-15')).toEqual(['2024-03-31', '2024-06-30', '2024-09-30', '2024-12-31']);
  });

  it('builds every covered date and refuses the others with a reason, never an internal error', async () => {
    const dates = ['2019-03-31', '2023-03-31', '2024-03-31', '2024-06-30', '2024-12-31', '2025-03-31', '2025-06-30', '2026-12-31'];
    const rows = await sweepRelease(RELEASE_2025, dates, nodeEffects({ storeDir: false, today: () => '2026-11-23' }));
    expect(rows.map((r) => r.asAt)).toEqual(dates);
    expect(rows.filter((r) => r.result === 'internal error')).toEqual([]);
    const built = rows.filter((r) => r.result === 'built').map((r) => r.asAt);
    // The visit files cover 1 April 2023 to 31 March 2025 and the history up to 31 March 2025.
    expect(built).toEqual(['2024-03-31', '2024-06-30', '2024-12-31', '2025-03-31']);
    for (const row of rows.filter((r) => r.result === 'built')) expect(row.gates).toEqual(['structure', 'numbers-trace', 'directions', 'rounding', 'style', 'claims']);
    for (const row of rows.filter((r) => r.result === 'refused')) {
      expect(row.gates, row.asAt).toEqual([]);
      expect(row.reason, row.asAt).toMatch(/ofsted-2025\.yaml, (line \d+, column \d+, )?setting "[^"]+"/);
    }
    expect(rows.find((r) => r.asAt === '2026-12-31')!.reason).toMatch(/after today/);
    expect(rows.find((r) => r.asAt === '2025-06-30')!.reason).toMatch(/ILACS_inspection_history\.csv covers/);
  });

  it('refuses a date a template set was not written for, naming where it says so', async () => {
    const rows = await sweepRelease(join(ROOT, 'releases/ilacs-2026-q2.yaml'), ['2026-03-31', '2026-06-30'], nodeEffects({ storeDir: false, today: () => '2026-11-23' }));
    expect(rows.map((r) => r.result)).toEqual(['refused', 'built']);
    expect(rows[0]!.reason).toMatch(/ilacs-quarterly\/template-set\.yaml, line \d+, column \d+, setting "appliesFrom": the template set is written for releases as at 1 April 2026 or later/);
  });
});
