/** Every program the interop tier reads the release with is installed and runs. */
import { describe, expect, it } from 'vitest';
import { PACKAGES, run, type Tool } from './tools.js';

const VERSION: Record<Tool, string[]> = {
  soffice: ['--version'],
  pdftotext: ['-v'],
  pdfinfo: ['-v'],
  pdffonts: ['-v'],
  chromium: ['--version'],
};

describe('tools of the interop tier', () => {
  for (const tool of Object.keys(PACKAGES) as Tool[]) {
    it(`${tool} runs (Debian package ${PACKAGES[tool]})`, () => {
      // poppler prints its version on stderr; run() returns stdout, so a clean exit is the check there.
      const out = run(tool, VERSION[tool], { timeout: 60_000 });
      if (tool === 'soffice') expect(out).toMatch(/LibreOffice \d+\.\d+/);
      if (tool === 'chromium') expect(out).toMatch(/Chromium \d+/);
    });
  }
});
