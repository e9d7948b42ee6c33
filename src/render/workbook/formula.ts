/**
 * Cells a spreadsheet would take for a formula. A value from the data that starts with `=`, `+`,
 * `-` or `@` (or with a tab or line break, or with spaces before one of those, or with the
 * full-width forms of them, which some spreadsheets also accept) is read by Excel and LibreOffice
 * as a formula when it arrives in a CSV file: `=HYPERLINK(…)` becomes a live link and
 * `=cmd|' /C calc'!A0` a command. OWASP's advice is to prefix such a cell with an apostrophe,
 * which every spreadsheet shows as text; the value is kept whole, so a name that happens to
 * begin with a dash is still published rather than refused.
 *
 * The OpenDocument and Excel workbooks write every value from the data as a typed text cell,
 * which no spreadsheet evaluates; the Excel workbook also marks such cells `quotePrefix`, Excel's
 * own flag that keeps them text when someone edits them.
 */
const FORMULA_START = /^[\s]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** True when a spreadsheet would read this text as (the start of) a formula. */
export function startsFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** Text for a CSV cell: with an apostrophe in front when a spreadsheet would otherwise run it. */
export function neutralised(text: string): string {
  return startsFormula(text) ? `'${text}` : text;
}
