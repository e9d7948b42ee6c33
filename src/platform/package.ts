/** Where statpress is installed, and the versions of it and of the packages it uses. */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FONT_FILES } from './fonts.js';

/** The statpress package folder (this file sits in src/ or dist/src/ below it). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'statpress') return dir;
    } catch {
      // keep looking upwards
    }
    dir = dirname(dir);
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();

/** The installed version of a dependency, or `unknown`. */
export function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function toolVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

let chartEngine: string | undefined;
/**
 * What decides a chart drawing besides its filled spec: the drawing code and the text
 * measurement it uses (their own files, compiled or not), the versions of the drawing libraries
 * and the font files. Part of every chart's store key, so a drawing never outlives its code.
 */
export function chartEngineKey(): string {
  if (chartEngine) return chartEngine;
  const here = dirname(fileURLToPath(import.meta.url));
  const ext = extname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const file of [join(here, '..', 'render', `chart${ext}`), join(here, `fonts${ext}`)]) hash.update(readFileSync(file));
  for (const pkg of ['vega', 'vega-lite', '@resvg/resvg-js']) hash.update(`${pkg}@${versionOf(pkg)}`);
  for (const file of Object.values(FONT_FILES)) hash.update(`${file}:${statSync(file).size}`);
  chartEngine = hash.digest('hex');
  return chartEngine;
}
