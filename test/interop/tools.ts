/**
 * The programs the interop tier reads the release with, and the Debian packages they come from.
 * Running one that is missing, or that fails, throws an error naming the package to install, so
 * a machine without it fails these tests instead of skipping them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PACKAGES = {
  soffice: 'libreoffice-writer-nogui libreoffice-calc-nogui',
  pdftotext: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  pdffonts: 'poppler-utils',
  chromium: 'chromium',
} as const;

export type Tool = keyof typeof PACKAGES;

export function installHint(tool: Tool): string {
  return `install the Debian package${PACKAGES[tool].includes(' ') ? 's' : ''} ${PACKAGES[tool]} (apt-get install ${PACKAGES[tool]}), as .ci/run does`;
}

/** Runs a tool and returns what it printed; a missing or failing tool throws, naming its package. */
export function run(tool: Tool, args: string[], options: { timeout?: number } = {}): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${tool} is not installed (not found on PATH): ${installHint(tool)}`);
    const said = String(e.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${tool} ${args.join(' ')} failed (${e.status !== undefined && e.status !== null ? `exit status ${e.status}` : e.code ?? e.message})${said ? `: ${said}` : ''}. ${tool} comes from the Debian package ${PACKAGES[tool]}; if it is missing or broken, ${installHint(tool)}`);
  }
}

let profile: string | undefined;

/**
 * Converts files with LibreOffice, headless, into `outDir`, using a profile of this process's own
 * so that it never hands the work to another LibreOffice already running on the machine.
 */
export function soffice(convertTo: string, files: string[], outDir: string): void {
  profile ??= mkdtempSync(join(tmpdir(), 'statpress-lo-profile-'));
  run('soffice', [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--convert-to', convertTo, '--outdir', outDir, ...files], { timeout: 180_000 });
}
