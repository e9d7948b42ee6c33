/** Where statpress is installed, and the versions of it and of the packages it uses. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
