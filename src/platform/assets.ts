/** Files statpress ships with its packages (not inputs of a release): read once, here. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let govuk: string | undefined;

/** GOV.UK Frontend's stylesheet without its web fonts and images (not usable from disk). */
export function govukStylesheet(): string {
  govuk ??= readFileSync(require.resolve('govuk-frontend/dist/govuk/govuk-frontend.min.css'), 'utf8')
    .replace(/@font-face\{[^}]*\}/g, '')
    .replace(/url\(\/assets\/[^)]*\)/g, 'none')
    .replace(/\/\*# sourceMappingURL=[^*]*\*\//g, '');
  return govuk;
}
