/**
 * Units that no longer exist keep their region: from the changes file's region column, or from
 * the region their successors share. A unit whose region is unknown is a warning at its row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { loadDataset } from '../../src/load/dataset.js';
import { fixtureVariant, readCsv, refusalOf, RELEASE_2025, ROOT } from '../support.js';

const FIXTURE = join(ROOT, 'test/fixtures/older-framework');
const csv = (file: string) => parseCsv(readFileSync(join(FIXTURE, file)), { columns: true }) as Array<Record<string, string>>;
const load = (dir: string) => loadDataset(loadReleaseConfig(join(dir, 'release.yaml')));

describe('a retired unit', () => {
  it('keeps the region its successors share', () => {
    const regionOf = new Map(csv('authorities.csv').map((r) => [r.code!, r.region!]));
    const retired = csv('changes.csv').filter((r) => r.until !== '');
    expect(retired.length).toBeGreaterThan(0);
    const dataset = load(FIXTURE);
    for (const row of retired) {
      const regions = new Set(row.note!.match(/[A-Z]\d{8}/g)!.map((c) => regionOf.get(c)));
      expect(regions.size).toBe(1);
      expect(dataset.authorities.find((a) => a.code === row.code)?.region).toBe([...regions][0]);
    }
    expect(dataset.warnings).toEqual([]);
  });

  it('takes its own region where the changes file gives one', () => {
    const dir = fixtureVariant('older-framework', {
      'changes.csv': (t) => t.replace('code,name,from,until,note', 'code,name,from,until,note,region').replace(/\n(E10000901,[^\n]*)/, '\n$1,Middle').replace(/\n(E06[^\n]*)/g, '\n$1,'),
      'release.yaml': (t) => t.replace('successors: note', 'successors: note, region: region'),
    });
    expect(load(dir).authorities.find((a) => a.code === 'E10000901')?.region).toBe('Middle');
  });

  it('without a region or successors, is a warning at its row, not a silent blank', () => {
    const dir = fixtureVariant('older-framework', { 'release.yaml': (t) => t.replace(', successors: note', '') });
    const row = csv('changes.csv').findIndex((r) => r.code === 'E10000901') + 2;
    expect(load(dir).warnings).toEqual([`changes.csv, row ${row}: Old County has no region: it counts in the figures for the whole coverage but in no region (give its region, or its successors' codes, in the register)`]);
  });

  it('whose successors are in different regions, is a warning naming them', () => {
    const dir = fixtureVariant('older-framework', { 'changes.csv': (t) => t.replace('and Westham (E06000904)', 'and Southville (E06000902)') });
    const warnings = load(dir).warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/changes\.csv, row 2: Old County has no region: its successors are in different regions \(North, South\)/);
  });

  it('whose successor is not in the register, is an error at the cell', () => {
    const dir = fixtureVariant('older-framework', { 'changes.csv': (t) => t.replace('(E06000904)', '(E06000999)') });
    expect(refusalOf(() => load(dir)).describe()).toBe('changes.csv, row 2, column "note", value "E06000999": the successor E06000999 is not in the register');
  });
});

it('in the real register, every retired authority has the region of its successors', () => {
  const regionOf = new Map(readCsv('la-lookup/england_153_la_lookup.csv').map((r) => [r.ons_code!, r.ofsted_region!]));
  const retired = readCsv('la-lookup/la-changes.csv').filter((r) => r.existed_until !== '');
  const dataset = loadDataset(loadReleaseConfig(RELEASE_2025));
  expect(retired.length).toBe(5);
  for (const row of retired) {
    const regions = [...new Set(row.note!.match(/E\d{8}/g)!.map((c) => regionOf.get(c)))];
    expect(regions).toHaveLength(1);
    expect(dataset.authorities.find((a) => a.code === row.ons_code)?.region, row.la_name).toBe(regions[0]);
  }
});
