/**
 * Makes the next period's release config from the current one: moves the as-at date on by a
 * number of months (a quarter by default), drops a fixed publication cut-off so the rule derives
 * it, and moves the publication date on by the same step. Comments and layout of the YAML are
 * kept, so the new file reads like the old one. The data sources are left as they are: the
 * statistician points them at the new files, and the build says if a file is missing.
 */
import { addMonths, isIsoDate } from '../core/dates.js';
import { shiftMonthText } from './config.js';
import { YamlFile } from './yaml.js';

export interface Rollover {
  yaml: string;
  asAt: string;
  published: string;
  /** The next update moved on, where it reads "Month YYYY". */
  nextUpdate?: string;
  /** Whether the old edition's acknowledgements were taken out (to be written for the new one). */
  acknowledgementsDropped: boolean;
}

export function rollReleaseConfig(configFile: string, months = 3): Rollover {
  // The document keeps the comments (the yaml-language-server line first among them).
  const source = YamlFile.read(configFile);
  const doc = source.doc;
  const read = (path: string[]): string => {
    const value = doc.getIn(path);
    const iso = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    if (!isIsoDate(iso)) throw source.error(path, 'expected a date written YYYY-MM-DD', { value: iso });
    return iso;
  };
  const asAt = addMonths(read(['period', 'asAt']), months);
  const published = addMonths(read(['meta', 'published']), months);
  doc.setIn(['period', 'asAt'], asAt);
  if (doc.hasIn(['period', 'publishedBy'])) doc.deleteIn(['period', 'publishedBy']);
  doc.setIn(['meta', 'published'], published);
  // The next update moves on with the edition; a revision and the thanks belong to the old one.
  const next = doc.getIn(['meta', 'nextUpdate']);
  const moved = typeof next === 'string' ? shiftMonthText(next, months) : null;
  if (moved) doc.setIn(['meta', 'nextUpdate'], moved);
  if (doc.hasIn(['meta', 'revision'])) doc.deleteIn(['meta', 'revision']);
  const dropped = doc.hasIn(['meta', 'acknowledgements']);
  if (dropped) doc.deleteIn(['meta', 'acknowledgements']);
  return { yaml: doc.toString(), asAt, published, ...(moved ? { nextUpdate: moved } : {}), acknowledgementsDropped: dropped };
}
