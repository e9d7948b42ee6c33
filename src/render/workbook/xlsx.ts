/**
 * The underlying-data workbook as an Office Open XML spreadsheet (.xlsx), the twin of the
 * OpenDocument one: the same sheets and cells (`sheetsOf`), so the two cannot differ. Written
 * directly, like the .ods, so that the same workbook gives the same bytes.
 *
 * What the Analysis Function asks of a spreadsheet, in Excel's terms: each table is an Excel
 * table (a "Format as Table" range with its header row, which screen readers announce), dates
 * are date cells shown as "10 July 2023", links are real hyperlinks (to a sheet or a web page),
 * and every column has a readable width.
 */
import type { IsoDate } from '../../core/dates.js';
import { COVER, documentTitle, underlyingDataTitle } from '../../document/labels.js';
import { startsFormula } from './formula.js';
import { inPieces, sheetsOf, widthsOf, type SheetCell, type Workbook } from './workbook.js';
import { writeZip } from './zip.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Text as XML, without the control characters XML 1.0 cannot hold. */
const xml = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** Column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA. */
const columnNames: string[] = [];
function column(index: number): string {
  let name = columnNames[index];
  if (name !== undefined) return name;
  name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return (columnNames[index] = name);
}

/** Excel's serial day number for a calendar date (days since 30 December 1899). */
function serial(date: IsoDate): number {
  return Math.round((Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) - Date.UTC(1899, 11, 30)) / 86_400_000);
}

/** Cell formats, by their index in styles.xml. */
const STYLE = { text: 0, header: 1, title: 2, date: 3, link: 4, bold: 5, plain: 6 } as const;

/** The cell formats (cellXfs), in STYLE's order. */
const XFS = [
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
  '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment horizontal="left" vertical="top"/></xf>',
  '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top"/></xf>',
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>',
];

/**
 * Text that a spreadsheet would take for a formula is kept text by Excel's quotePrefix flag: the
 * twin of each text format with it, added to styles.xml only when a workbook needs them.
 */
const QUOTED: Record<number, number> = { [STYLE.text]: 7, [STYLE.header]: 8, [STYLE.title]: 9, [STYLE.bold]: 10, [STYLE.plain]: 11 };
const QUOTED_XFS = [STYLE.text, STYLE.header, STYLE.title, STYLE.bold, STYLE.plain].map((i) => XFS[i]!.replace('<xf ', '<xf quotePrefix="1" '));

function stylesXml(quoted: boolean): string {
  const xfs = quoted ? [...XFS, ...QUOTED_XFS] : XFS;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="d mmmm yyyy"/></numFmts><fonts count="4"><font><sz val="12"/><name val="Arial"/><family val="2"/></font><font><b/><sz val="12"/><name val="Arial"/><family val="2"/></font><font><b/><sz val="14"/><name val="Arial"/><family val="2"/></font><font><u/><sz val="12"/><color rgb="FF1D70B8"/><name val="Arial"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color rgb="FF000000"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;
}

/** Excel keeps at most this many hyperlinks on a worksheet; a sheet with more gets its addresses as text. */
export const EXCEL_HYPERLINKS_PER_SHEET = 65_530;

type Sheet = ReturnType<typeof sheetsOf>[number];

/** The workbook's shared strings, as Excel itself stores text: each distinct string once. */
class SharedStrings {
  readonly list: string[] = [];
  /** References to the strings, counting repeats. */
  count = 0;
  private readonly index = new Map<string, number>();
  ref(text: string): number {
    this.count++;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(text);
      this.index.set(text, i);
    }
    return i;
  }
  /** The index of a string already counted. */
  indexOf(text: string): number {
    return this.index.get(text)!;
  }
}

/** What the first reading of a sheet finds out, before any of it is written. */
interface SheetPlan {
  sheet: Sheet;
  widths: number[];
  /** Links to web pages (each needs a relationship) and to places in the workbook. */
  external: number;
  internal: number;
  /** Whether its links are written as links (not when Excel could not keep them all). */
  linked: boolean;
  table?: { ref: string; columns: string[]; number: number };
}

/** The rows of a sheet as they are written: title, description, header, then the data, each with its cells' format. */
function* gridOf(sheet: Sheet): Generator<{ cells: SheetCell[]; first: number; rest: number }> {
  const text = (value: string): SheetCell => ({ kind: 'text', value });
  yield { cells: [text(sheet.title)], first: STYLE.title, rest: STYLE.title };
  // Title and description run on across the empty cells to their right, unwrapped.
  yield { cells: [text(sheet.description)], first: STYLE.plain, rest: STYLE.plain };
  if (sheet.header) yield { cells: sheet.header.map(text), first: STYLE.header, rest: STYLE.header };
  const first = sheet.name === COVER ? STYLE.bold : STYLE.text;
  const row = { cells: [] as SheetCell[], first, rest: STYLE.text };
  for (const cells of sheet.rows) {
    row.cells = cells;
    yield row;
  }
}

/** First reading of every sheet: the shared strings in order, the links, the tables. */
function plan(book: Workbook, sheets: Sheet[], strings: SharedStrings): { plans: SheetPlan[]; quoted: boolean } {
  let quoted = false;
  let tables = 0;
  const plans = sheets.map((sheet): SheetPlan => {
    let external = 0;
    let internal = 0;
    for (const { cells } of gridOf(sheet)) {
      for (const value of cells) {
        if (value.kind === 'text' || value.kind === 'shorthand') {
          strings.ref(value.value);
          if (!quoted && startsFormula(value.value)) quoted = true;
        } else if (value.kind === 'link') {
          if (value.url.startsWith('#')) internal++;
          else external++;
          strings.ref(value.text);
        }
      }
    }
    const result: SheetPlan = { sheet, widths: widthsOf(book, sheet.name), external, internal, linked: external + internal <= EXCEL_HYPERLINKS_PER_SHEET };
    // Each table is an Excel table over its header and rows, when Excel can take it: a header
    // of distinct names and at least one row.
    const names = sheet.header ?? [];
    const distinct = new Set(names.map((n) => n.toLowerCase())).size === names.length;
    if (sheet.header && sheet.rows.length > 0 && distinct && names.every((n) => n.trim() !== '')) {
      const headerRow = 3;
      result.table = { ref: `A${headerRow}:${column(names.length - 1)}${headerRow + sheet.rows.length}`, columns: names, number: ++tables };
    }
    return result;
  });
  return { plans, quoted };
}

/** The id of a sheet's table relationship: after one per web link. */
const tableRelId = (p: SheetPlan) => `rId${(p.linked ? p.external : 0) + 1}`;

/** A worksheet's XML, a row at a time. */
function* sheetXml(p: SheetPlan, strings: SharedStrings): Generator<string> {
  const { sheet } = p;
  const cols = p.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
  yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetViews><sheetView workbookViewId="0"${sheet.name === COVER ? ' tabSelected="1"' : ''}/></sheetViews><sheetFormatPr defaultRowHeight="15"/>${cols ? `<cols>${cols}</cols>` : ''}<sheetData>`;
  const cell = cellWriter(strings, p.linked);
  let r = 0;
  for (const { cells, first, rest } of gridOf(sheet)) {
    r++;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < cells.length; i++) xml += `<c r="${column(i)}${r}"${cell(cells[i]!, i === 0 ? first : rest)}`;
    yield `${xml}</row>`;
  }
  yield '</sheetData>';
  if (p.linked && p.external + p.internal > 0) {
    yield '<hyperlinks>';
    let id = 0;
    r = 0;
    for (const { cells } of gridOf(sheet)) {
      r++;
      for (let i = 0; i < cells.length; i++) {
        const value = cells[i]!;
        if (value.kind !== 'link') continue;
        const ref = `${column(i)}${r}`;
        if (value.url.startsWith('#')) {
          // A place in this workbook, written "#Sheet.A1" in the .ods.
          const [name, at] = value.url.slice(1).split('.');
          yield `<hyperlink ref="${ref}" location="'${xml(name!)}'!${xml(at ?? 'A1')}" display="${xml(value.text)}"/>`;
        } else yield `<hyperlink ref="${ref}" r:id="rId${++id}"/>`;
      }
    }
    yield '</hyperlinks>';
  }
  yield `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>${p.table ? `<tableParts count="1"><tablePart r:id="${tableRelId(p)}"/></tableParts>` : ''}</worksheet>`;
}

/**
 * A cell's XML after its reference (` s="0" t="s"><v>12</v></c>`). Cells shared between rows
 * (a grade, a date, a place) are written once and reused, by cell and format.
 */
function cellWriter(strings: SharedStrings, linked: boolean): (value: SheetCell, style: number) => string {
  const made = new WeakMap<SheetCell, Map<number, string>>();
  return (value, style) => {
    let byStyle = made.get(value);
    let xml = byStyle?.get(style);
    if (xml !== undefined) return xml;
    switch (value.kind) {
      case 'text':
      case 'shorthand':
        xml = ` s="${startsFormula(value.value) ? (QUOTED[style] ?? style) : style}" t="s"><v>${strings.indexOf(value.value)}</v></c>`;
        break;
      case 'number':
        xml = ` s="${style}"><v>${value.value}</v></c>`;
        break;
      case 'date':
        xml = ` s="${STYLE.date}"><v>${serial(value.value)}</v></c>`;
        break;
      case 'link':
        xml = ` s="${linked ? STYLE.link : style}" t="s"><v>${strings.indexOf(value.text)}</v></c>`;
        break;
    }
    if (!byStyle) made.set(value, (byStyle = new Map()));
    byStyle.set(style, xml);
    return xml;
  };
}

/** A worksheet's relationships: its web links, then its table. */
function* sheetRels(p: SheetPlan): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL}">`;
  if (p.linked) {
    let id = 0;
    for (const row of p.sheet.rows) {
      for (const value of row) {
        if (value.kind === 'link' && !value.url.startsWith('#')) yield `<Relationship Id="rId${++id}" Type="${REL}/hyperlink" Target="${xml(value.url)}" TargetMode="External"/>`;
      }
    }
  }
  if (p.table) yield `<Relationship Id="${tableRelId(p)}" Type="${REL}/table" Target="../tables/table${p.table.number}.xml"/>`;
  yield '</Relationships>';
}

function tableXml(number: number, sheetName: string, table: NonNullable<SheetPlan['table']>): string {
  // Table names: letters, digits and underscores, unique in the workbook.
  const name = `Table_${sheetName.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const columns = table.columns.map((c, i) => `<tableColumn id="${i + 1}" name="${xml(c)}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<table xmlns="${MAIN}" id="${number}" name="${name}" displayName="${name}" ref="${table.ref}" totalsRowShown="0"><autoFilter ref="${table.ref}"/><tableColumns count="${table.columns.length}">${columns}</tableColumns><tableStyleInfo name="TableStyleLight1" showFirstColumn="0" showLastColumn="0" showRowStripes="0" showColumnStripes="0"/></table>`;
}

/** The workbook as an Excel workbook (.xlsx), byte-identical for the same workbook. */
export async function writeXlsx(book: Workbook): Promise<Uint8Array> {
  const sheets = sheetsOf(book);
  // The sheets are read twice: once for the shared strings, which come first in the file, then
  // as they are written. Nothing of a sheet is held between the two.
  const strings = new SharedStrings();
  const { plans, quoted } = plan(book, sheets, strings);
  const when = `${book.meta.published}T00:00:00Z`;
  const title = documentTitle(underlyingDataTitle(book.meta.title), book.meta.draft);
  const files = new Map<string, string | (() => Iterable<string>)>();
  const overrides = [
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`,
    `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`,
    `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`,
    `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`,
    `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`,
  ];
  plans.forEach((p, i) => {
    const n = i + 1;
    files.set(`xl/worksheets/sheet${n}.xml`, () => sheetXml(p, strings));
    overrides.push(`<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`);
    if (p.table) {
      files.set(`xl/tables/table${p.table.number}.xml`, tableXml(p.table.number, p.sheet.name, p.table));
      overrides.push(`<Override PartName="/xl/tables/table${p.table.number}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>`);
    }
    if ((p.linked && p.external > 0) || p.table) files.set(`xl/worksheets/_rels/sheet${n}.xml.rels`, () => sheetRels(p));
  });
  files.set(
    '[Content_Types].xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${overrides.join('')}</Types>`,
  );
  files.set(
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="${PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
  );
  files.set(
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${MAIN}" xmlns:r="${REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>${sheets.map((s, i) => `<sheet name="${xml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
  );
  files.set(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL}">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rId${sheets.length + 2}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  files.set('xl/styles.xml', stylesXml(quoted));
  files.set(
    'xl/sharedStrings.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN}" count="${strings.count}" uniqueCount="${strings.list.length}">${strings.list.map((t) => `<si><t xml:space="preserve">${xml(t)}</t></si>`).join('')}</sst>`,
  );
  files.set(
    'docProps/core.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${xml(title)}</dc:title><dc:creator>${xml(book.meta.producer)}</dc:creator><dc:language>${xml(book.meta.language)}</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified></cp:coreProperties>`,
  );
  files.set(
    'docProps/app.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>statpress</Application></Properties>`,
  );
  // [Content_Types].xml first, as Office writes it.
  const names = ['[Content_Types].xml', ...[...files.keys()].filter((n) => n !== '[Content_Types].xml').sort()];
  return writeZip(
    names.map((name) => {
      const content = files.get(name)!;
      return { name, content: typeof content === 'string' ? content : () => inPieces(content()) };
    }),
    new Date(when),
  );
}
