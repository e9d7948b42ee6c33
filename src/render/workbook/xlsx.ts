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
import JSZip from 'jszip';
import type { IsoDate } from '../../core/dates.js';
import { COVER, documentTitle, underlyingDataTitle } from '../../document/labels.js';
import { sheetsOf, widthsOf, type SheetCell, type Workbook } from './workbook.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Text as XML, without the control characters XML 1.0 cannot hold. */
const xml = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/** Column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA. */
function column(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Excel's serial day number for a calendar date (days since 30 December 1899). */
function serial(date: IsoDate): number {
  return Math.round((Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) - Date.UTC(1899, 11, 30)) / 86_400_000);
}

/** Cell formats, by their index in styles.xml. */
const STYLE = { text: 0, header: 1, title: 2, date: 3, link: 4, bold: 5, plain: 6 } as const;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="d mmmm yyyy"/></numFmts><fonts count="4"><font><sz val="12"/><name val="Arial"/><family val="2"/></font><font><b/><sz val="12"/><name val="Arial"/><family val="2"/></font><font><b/><sz val="14"/><name val="Arial"/><family val="2"/></font><font><u/><sz val="12"/><color rgb="FF1D70B8"/><name val="Arial"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color rgb="FF000000"/></bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment horizontal="left" vertical="top"/></xf><xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top"/></xf><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

interface SheetPart {
  xml: string;
  /** Relationships of the sheet: external links and its table. */
  rels: Array<{ id: string; type: 'hyperlink' | 'table'; target: string }>;
  table?: { ref: string; columns: string[] };
}

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
}

function sheetPart(sheet: ReturnType<typeof sheetsOf>[number], widths: number[], tableNumber: number, strings: SharedStrings): SheetPart {
  const rels: SheetPart['rels'] = [];
  const links: string[] = [];
  const rows: string[] = [];
  const cell = (ref: string, value: SheetCell, style: number): string => {
    switch (value.kind) {
      case 'text':
      case 'shorthand':
        return `<c r="${ref}" s="${style}" t="s"><v>${strings.ref(value.value)}</v></c>`;
      case 'number':
        return `<c r="${ref}" s="${style}"><v>${value.value}</v></c>`;
      case 'date':
        return `<c r="${ref}" s="${STYLE.date}"><v>${serial(value.value)}</v></c>`;
      case 'link': {
        if (value.url.startsWith('#')) {
          // A place in this workbook, written "#Sheet.A1" in the .ods.
          const [name, at] = value.url.slice(1).split('.');
          links.push(`<hyperlink ref="${ref}" location="'${xml(name!)}'!${xml(at ?? 'A1')}" display="${xml(value.text)}"/>`);
        } else {
          const id = `rId${rels.length + 1}`;
          rels.push({ id, type: 'hyperlink', target: value.url });
          links.push(`<hyperlink ref="${ref}" r:id="${id}"/>`);
        }
        return `<c r="${ref}" s="${STYLE.link}" t="s"><v>${strings.ref(value.text)}</v></c>`;
      }
    }
  };
  const row = (cells: string[]) => rows.push(`<row r="${rows.length + 1}">${cells.join('')}</row>`);
  const text = (value: string): SheetCell => ({ kind: 'text', value });
  row([cell('A1', text(sheet.title), STYLE.title)]);
  // Title and description run on across the empty cells to their right, unwrapped.
  row([cell('A2', text(sheet.description), STYLE.plain)]);
  const headerRow = rows.length + 1;
  if (sheet.header) row(sheet.header.map((h, i) => cell(`${column(i)}${headerRow}`, text(h), STYLE.header)));
  for (const values of sheet.rows) {
    const r = rows.length + 1;
    const cover = sheet.name === COVER;
    row(values.map((v, i) => cell(`${column(i)}${r}`, v, cover && i === 0 ? STYLE.bold : STYLE.text)));
  }
  // Each table is an Excel table over its header and rows, when Excel can take it: a header
  // of distinct names and at least one row.
  let table: SheetPart['table'];
  const names = sheet.header ?? [];
  const distinct = new Set(names.map((n) => n.toLowerCase())).size === names.length;
  if (sheet.header && sheet.rows.length > 0 && distinct && names.every((n) => n.trim() !== '')) {
    const ref = `A${headerRow}:${column(names.length - 1)}${headerRow + sheet.rows.length}`;
    table = { ref, columns: names };
    rels.push({ id: `rId${rels.length + 1}`, type: 'table', target: `../tables/table${tableNumber}.xml` });
  }
  const cols = widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
  const tableRel = rels.find((r) => r.type === 'table');
  const body = [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`,
    `<worksheet xmlns="${MAIN}" xmlns:r="${REL}">`,
    `<sheetViews><sheetView workbookViewId="0"${sheet.name === COVER ? ' tabSelected="1"' : ''}/></sheetViews>`,
    `<sheetFormatPr defaultRowHeight="15"/>`,
    cols ? `<cols>${cols}</cols>` : '',
    `<sheetData>${rows.join('')}</sheetData>`,
    links.length ? `<hyperlinks>${links.join('')}</hyperlinks>` : '',
    `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>`,
    tableRel ? `<tableParts count="1"><tablePart r:id="${tableRel.id}"/></tableParts>` : '',
    `</worksheet>`,
  ];
  return { xml: body.join(''), rels, ...(table ? { table } : {}) };
}

function tableXml(number: number, sheetName: string, table: NonNullable<SheetPart['table']>): string {
  // Table names: letters, digits and underscores, unique in the workbook.
  const name = `Table_${sheetName.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const columns = table.columns.map((c, i) => `<tableColumn id="${i + 1}" name="${xml(c)}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<table xmlns="${MAIN}" id="${number}" name="${name}" displayName="${name}" ref="${table.ref}" totalsRowShown="0"><autoFilter ref="${table.ref}"/><tableColumns count="${table.columns.length}">${columns}</tableColumns><tableStyleInfo name="TableStyleLight1" showFirstColumn="0" showLastColumn="0" showRowStripes="0" showColumnStripes="0"/></table>`;
}

/** The workbook as an Excel workbook (.xlsx), byte-identical for the same workbook. */
export async function writeXlsx(book: Workbook): Promise<Uint8Array> {
  const sheets = sheetsOf(book);
  const parts: SheetPart[] = [];
  const strings = new SharedStrings();
  let tables = 0;
  for (const sheet of sheets) {
    const part = sheetPart(sheet, widthsOf(book, sheet.name), tables + 1, strings);
    if (part.table) tables++;
    parts.push(part);
  }
  const when = `${book.meta.published}T00:00:00Z`;
  const title = documentTitle(underlyingDataTitle(book.meta.title), book.meta.draft);
  const files = new Map<string, string>();
  const overrides = [
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`,
    `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`,
    `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`,
    `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`,
    `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`,
  ];
  let tableNumber = 0;
  parts.forEach((part, i) => {
    const n = i + 1;
    files.set(`xl/worksheets/sheet${n}.xml`, part.xml);
    overrides.push(`<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`);
    if (part.table) {
      tableNumber++;
      files.set(`xl/tables/table${tableNumber}.xml`, tableXml(tableNumber, sheets[i]!.name, part.table));
      overrides.push(`<Override PartName="/xl/tables/table${tableNumber}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>`);
    }
    if (part.rels.length) {
      const rels = part.rels
        .map((r) =>
          r.type === 'hyperlink'
            ? `<Relationship Id="${r.id}" Type="${REL}/hyperlink" Target="${xml(r.target)}" TargetMode="External"/>`
            : `<Relationship Id="${r.id}" Type="${REL}/table" Target="${r.target}"/>`,
        )
        .join('');
      files.set(`xl/worksheets/_rels/sheet${n}.xml.rels`, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL}">${rels}</Relationships>`);
    }
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
  files.set('xl/styles.xml', STYLES);
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
  const zip = new JSZip();
  const date = new Date(when);
  // [Content_Types].xml first, as Office writes it.
  for (const name of ['[Content_Types].xml', ...[...files.keys()].filter((n) => n !== '[Content_Types].xml').sort()]) {
    zip.file(name, files.get(name)!, { date, createFolders: false });
  }
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}
