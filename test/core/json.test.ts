/**
 * JSON inputs (chart specs, resources): a syntax error is placed by line and column, and the
 * message quotes nothing of the file (JSON.parse's own message quotes the text around the error).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, parseJson } from '../../src/core/json.js';
import { StatpressError } from '../../src/core/errors.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { nodeEffects } from '../../src/platform/effects.js';
import { releaseVariant, ROOT } from '../support.js';

const validByJsonParse = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid, for real specs and every truncation and one-character change of one', () => {
    const dir = join(ROOT, 'templates/ofsted-main-findings/charts');
    for (const file of readdirSync(dir)) expect(jsonErrorOffset(readFileSync(join(dir, file), 'utf8')), file).toBe(-1);
    const text = readFileSync(join(dir, 'grouped-bar.vl.json'), 'utf8').slice(0, 1500);
    for (let i = 0; i < text.length; i += 7) {
      for (const variant of [text.slice(0, i), `${text.slice(0, i)}}${text.slice(i + 1)}`, `${text.slice(0, i)},${text.slice(i)}`]) {
        expect(jsonErrorOffset(variant) === -1, JSON.stringify(variant.slice(Math.max(0, i - 10), i + 10))).toBe(validByJsonParse(variant));
      }
    }
  });

  it('points at the first character that cannot be JSON', () => {
    expect(jsonErrorOffset('{"a": 1,\n "b": x}')).toBe(15);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
    expect(jsonErrorOffset('{"a": 1} extra')).toBe(9);
    expect(jsonErrorOffset('"tab\there"')).toBe(4);
  });
});

describe('parseJson', () => {
  it('places the error and quotes nothing of the file', () => {
    let error: unknown;
    try {
      parseJson('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1', '/etc/passwd', 'resource "boundaries"');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatpressError);
    expect((error as StatpressError).describe()).toBe('/etc/passwd, line 1, column 1: the resource "boundaries" is not valid JSON: the text there is not JSON');
  });

  it('is how the pipeline reads a resource that is not JSON', () => {
    const variant = releaseVariant((c) => {
      c.resources.boundaries = 'la-lookup/england_153_la_lookup.csv';
    });
    const pipeline = new Pipeline({ configFile: variant }, nodeEffects({ storeDir: false }));
    let message = '';
    try {
      pipeline.specs();
    } catch (e) {
      message = (e as StatpressError).describe();
    }
    expect(message).toMatch(/england_153_la_lookup\.csv, line 1, column 1: the resource "boundaries" is not valid JSON/);
    expect(message).not.toContain('ons_code');
  });
});
