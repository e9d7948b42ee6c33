/**
 * Reading a spreadsheet back from its XML, as an office suite stores it: OpenDocument (.ods, or
 * a flat .fods such as LibreOffice writes) and Office Open XML (.xlsx). Each sheet becomes a grid
 * of cells with their type, stored value, text and link, so a check can compare what a file
 * holds with what the report says, or two files cell by cell, without an office suite.
 *
 * Both formats are read into the same terms: `type` is OpenDocument's value type (`string`,
 * `float`, `date`, `boolean`, …, or `empty`); a date's value is its ISO date; a link is its
 * target, a place in the workbook written `#Sheet.A1` whichever format it came from.
 */
import JSZip from 'jszip';
import { elements, find, findAll, parseXml, type XmlElement } from './xml.js';

export interface SheetCell {
  type: 'string' | 'float' | 'percentage' | 'currency' | 'date' | 'time' | 'boolean' | 'empty';
  /**
   * The stored value: text for a string, a number for a number, `YYYY-MM-DD` (or a full ISO
   * date-time when it has a time of day) for a date, true/false for a boolean, null when empty.
   */
  value: string | number | boolean | null;
  /**
   * The text the file stores for the cell: its paragraphs in OpenDocument (as the writing program
   * showed the value); in an .xlsx, which stores no shown text, the text of a string and the
   * stored value of anything else (a date as its ISO date).
   */
  text: string;
  /** Where the cell links to, if it does. */
  link?: string;
}

export interface Sheet {
  name: string;
  /** Rows from the first, each without its trailing empty cells; no trailing empty rows. */
  rows: SheetCell[][];
  /** Rows (0-based) marked as header rows to repeat (OpenDocument `table:table-header-rows`). */
  headerRows: number[];
}

const EMPTY: SheetCell = { type: 'empty', value: null, text: '' };

/** A place in the workbook in one notation, `#Sheet.A1`, without the quotes either format may put round the name. */
function place(sheet: string, cell: string): string {
  const name = sheet.startsWith("'") && sheet.endsWith("'") ? sheet.slice(1, -1).replace(/''/g, "'") : sheet;
  return `#${name}.${cell.replace(/\$/g, '')}`;
}

/** A date-time whose time is midnight is a date. */
function isoDate(value: string): string {
  return value.replace(/T00:00:00(?:\.0+)?Z?$/, '');
}

/** Builds a grid one cell at a time, dropping empty cells and rows that nothing follows. */
class Grid {
  readonly rows: SheetCell[][] = [];
  private pendingRows = 0;
  private row: SheetCell[] = [];
  private pendingCells = 0;
  cell(cell: SheetCell, repeat = 1): void {
    if (cell.type === 'empty' && cell.text === '' && !cell.link) {
      this.pendingCells += repeat;
      return;
    }
    for (; this.pendingCells > 0; this.pendingCells--) this.row.push(EMPTY);
    for (let i = 0; i < repeat; i++) this.row.push(cell);
  }
  endRow(repeat = 1): void {
    const row = this.row;
    this.row = [];
    this.pendingCells = 0;
    if (row.length === 0) {
      this.pendingRows += repeat;
      return;
    }
    for (; this.pendingRows > 0; this.pendingRows--) this.rows.push([]);
    for (let i = 0; i < repeat; i++) this.rows.push(i === 0 ? row : [...row]);
  }
}

// ── OpenDocument ────────────────────────────────────────────────────────────────────────────

/** The text of a cell's paragraph, as OpenDocument spells spaces, tabs and breaks. */
function paragraphText(node: XmlElement): string {
  let out = '';
  for (const child of node.children) {
    if (typeof child === 'string') out += child;
    else if (child.name === 'text:s') out += ' '.repeat(Number(child.attrs['text:c'] ?? 1));
    else if (child.name === 'text:tab') out += '\t';
    else if (child.name === 'text:line-break') out += '\n';
    else if (child.name === 'office:annotation' || child.name === 'text:note') continue;
    else out += paragraphText(child);
  }
  return out;
}

function odsCell(node: XmlElement): SheetCell {
  const paragraphs = elements(node, 'text:p').concat(elements(node, 'text:h'));
  const text = paragraphs.map(paragraphText).join('\n');
  const href = find(node, 'text:a')?.attrs['xlink:href'];
  const inside = href === undefined ? null : /^#(.+)\.(\$?[A-Z]+\$?\d+)$/.exec(href);
  const link = inside ? place(inside[1]!, inside[2]!) : href;
  const type = node.attrs['office:value-type'];
  const withLink = (cell: SheetCell): SheetCell => (link === undefined ? cell : { ...cell, link });
  switch (type) {
    case undefined:
      return withLink(text === '' ? EMPTY : { type: 'string', value: text, text });
    case 'string':
      return withLink({ type, value: node.attrs['office:string-value'] ?? text, text });
    case 'float':
    case 'percentage':
    case 'currency':
      return withLink({ type, value: Number(node.attrs['office:value']), text });
    case 'date':
      return withLink({ type, value: isoDate(node.attrs['office:date-value'] ?? ''), text });
    case 'time':
      return withLink({ type, value: node.attrs['office:time-value'] ?? '', text });
    case 'boolean':
      return withLink({ type, value: node.attrs['office:boolean-value'] === 'true', text });
    default:
      throw new Error(`OpenDocument: unknown value type "${type}"`);
  }
}

function odsRows(node: XmlElement, grid: Grid, header: number[], inHeader: boolean): void {
  for (const child of elements(node)) {
    if (child.name === 'table:table-row') {
      for (const cell of elements(child)) {
        if (cell.name !== 'table:table-cell' && cell.name !== 'table:covered-table-cell') continue;
        grid.cell(odsCell(cell), Number(cell.attrs['table:number-columns-repeated'] ?? 1));
      }
      const repeat = Number(child.attrs['table:number-rows-repeated'] ?? 1);
      const before = grid.rows.length;
      grid.endRow(repeat);
      if (inHeader) for (let r = before; r < grid.rows.length; r++) header.push(r);
    } else if (child.name === 'table:table-header-rows') odsRows(child, grid, header, true);
    else if (child.name === 'table:table-row-group' || child.name === 'table:table-rows') odsRows(child, grid, header, inHeader);
  }
}

/** The sheets of an OpenDocument spreadsheet: the .ods file's bytes, or a flat .fods document's text. */
export async function readOds(file: Uint8Array | string): Promise<Sheet[]> {
  let xml: string;
  if (typeof file === 'string') xml = file;
  else {
    const content = (await JSZip.loadAsync(file)).file('content.xml');
    if (!content) throw new Error('OpenDocument: no content.xml');
    xml = await content.async('string');
  }
  const spreadsheet = find(parseXml(xml), 'office:spreadsheet');
  if (!spreadsheet) throw new Error('OpenDocument: no spreadsheet body');
  return elements(spreadsheet, 'table:table').map((table) => {
    const grid = new Grid();
    const headerRows: number[] = [];
    odsRows(table, grid, headerRows, false);
    return { name: table.attrs['table:name'] ?? '', rows: grid.rows, headerRows: headerRows.filter((r) => r < grid.rows.length) };
  });
}

// ── Office Open XML ─────────────────────────────────────────────────────────────────────────

/** Number formats Excel builds in that show a date (ids 14 to 22 and 45 to 47). */
const BUILT_IN_DATES = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** Whether a number format shows a date or time: day, month or year codes outside quoted text. */
function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
  return /[dy]/i.test(bare) || (/m/i.test(bare) && /[hs]/i.test(bare)) || /^m+$/i.test(bare.trim());
}

/** Column index (0-based) of a cell reference such as "AB12". */
function columnOf(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)?.[0] ?? 'A';
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}
function rowOf(ref: string): number {
  return Number(/\d+$/.exec(ref)?.[0] ?? 1) - 1;
}
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Text of a shared or inline string: its runs, without phonetic guides. */
function stringText(node: XmlElement): string {
  return findAll(node, 't')
    .filter((t) => !isInside(node, t, 'rPh'))
    .map((t) => t.children.filter((c): c is string => typeof c === 'string').join(''))
    .join('');
}
function isInside(root: XmlElement, target: XmlElement, name: string): boolean {
  const walk = (node: XmlElement, inside: boolean): boolean | undefined => {
    for (const child of elements(node)) {
      if (child === target) return inside;
      const found = walk(child, inside || child.name === name);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(root, false) ?? false;
}

/** A serial day number of the workbook's date system as an ISO date (and time, if it has one). */
function serialDate(serial: number, date1904: boolean): string {
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return isoDate(new Date(base + Math.round(serial * 86_400_000)).toISOString().replace(/\.000Z$/, ''));
}

/** Resolves a relationship target against the folder of the part that declares it. */
function resolvePart(from: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = from.split('/').slice(0, -1);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}

async function relationships(zip: JSZip, part: string): Promise<Map<string, { target: string; external: boolean }>> {
  const folder = part.split('/').slice(0, -1).join('/');
  const name = part.split('/').pop()!;
  const file = zip.file(`${folder ? `${folder}/` : ''}_rels/${name}.rels`);
  const out = new Map<string, { target: string; external: boolean }>();
  if (!file) return out;
  for (const rel of findAll(parseXml(await file.async('string')), 'Relationship')) {
    const external = rel.attrs.TargetMode === 'External';
    out.set(rel.attrs.Id ?? '', { target: external ? (rel.attrs.Target ?? '') : resolvePart(part, rel.attrs.Target ?? ''), external });
  }
  return out;
}

/** The sheets of an Excel workbook (.xlsx), in the workbook's order. */
export async function readXlsx(file: Uint8Array): Promise<Sheet[]> {
  const zip = await JSZip.loadAsync(file);
  const part = async (name: string) => {
    const entry = zip.file(name);
    return entry ? parseXml(await entry.async('string')) : undefined;
  };
  const workbook = await part('xl/workbook.xml');
  if (!workbook) throw new Error('xlsx: no xl/workbook.xml');
  const date1904 = ['1', 'true'].includes(find(workbook, 'workbookPr')?.attrs.date1904 ?? '');
  const workbookRels = await relationships(zip, 'xl/workbook.xml');
  const sharedStrings = (await part('xl/sharedStrings.xml')) ?? undefined;
  const strings = sharedStrings ? elements(sharedStrings, 'si').map(stringText) : [];
  // Which cell formats show dates.
  const styles = await part('xl/styles.xml');
  const customFormats = new Map((styles ? findAll(styles, 'numFmt') : []).map((f) => [Number(f.attrs.numFmtId), f.attrs.formatCode ?? '']));
  const cellXfs = styles ? find(styles, 'cellXfs') : undefined;
  const dateStyles = (cellXfs ? elements(cellXfs, 'xf') : []).map((xf) => {
    const id = Number(xf.attrs.numFmtId ?? 0);
    return BUILT_IN_DATES.has(id) || (customFormats.has(id) && isDateFormat(customFormats.get(id)!));
  });

  const sheets: Sheet[] = [];
  for (const entry of findAll(workbook, 'sheet')) {
    const rel = workbookRels.get(entry.attrs['r:id'] ?? '');
    const path = rel?.target ?? '';
    const sheet = await part(path);
    if (!sheet) throw new Error(`xlsx: sheet "${entry.attrs.name}" has no part ${path}`);
    const sheetRels = await relationships(zip, path);
    const links = new Map<string, string>();
    for (const h of findAll(sheet, 'hyperlink')) {
      const target = h.attrs['r:id'] ? sheetRels.get(h.attrs['r:id'])?.target : undefined;
      const location = h.attrs.location ? (/^(.*)!([^!]+)$/.exec(h.attrs.location) ?? undefined) : undefined;
      const to = target ?? (location ? place(location[1]!, location[2]!) : h.attrs.location);
      if (to === undefined) continue;
      const [from, until = from] = (h.attrs.ref ?? '').split(':') as [string, string?];
      for (let r = rowOf(from); r <= rowOf(until); r++) for (let c = columnOf(from); c <= columnOf(until); c++) links.set(`${columnName(c)}${r + 1}`, to);
    }
    const cells = new Map<number, Map<number, SheetCell>>();
    let rowIndex = -1;
    for (const row of findAll(sheet, 'row')) {
      rowIndex = row.attrs.r ? Number(row.attrs.r) - 1 : rowIndex + 1;
      let columnIndex = -1;
      for (const c of elements(row, 'c')) {
        columnIndex = c.attrs.r ? columnOf(c.attrs.r) : columnIndex + 1;
        const ref = `${columnName(columnIndex)}${rowIndex + 1}`;
        const raw = find(c, 'v')?.children.filter((x): x is string => typeof x === 'string').join('');
        const kind = c.attrs.t ?? 'n';
        let cell: SheetCell;
        if (kind === 's') {
          const text = strings[Number(raw)];
          if (text === undefined) throw new Error(`xlsx: ${entry.attrs.name}!${ref} refers to shared string ${raw}, which does not exist`);
          cell = { type: 'string', value: text, text };
        } else if (kind === 'inlineStr') {
          const is = find(c, 'is');
          const text = is ? stringText(is) : '';
          cell = { type: 'string', value: text, text };
        } else if (kind === 'str') cell = { type: 'string', value: raw ?? '', text: raw ?? '' };
        else if (kind === 'b') cell = { type: 'boolean', value: raw === '1', text: raw === '1' ? 'TRUE' : 'FALSE' };
        else if (kind === 'e') cell = { type: 'string', value: raw ?? '', text: raw ?? '' };
        else if (raw === undefined || raw === '') cell = EMPTY;
        else if (dateStyles[Number(c.attrs.s ?? 0)]) {
          const iso = serialDate(Number(raw), date1904);
          cell = { type: 'date', value: iso, text: iso };
        } else cell = { type: 'float', value: Number(raw), text: raw };
        const link = links.get(ref);
        if (link !== undefined) cell = { ...cell, link };
        if (!cells.has(rowIndex)) cells.set(rowIndex, new Map());
        cells.get(rowIndex)!.set(columnIndex, cell);
      }
    }
    const grid = new Grid();
    const lastRow = Math.max(-1, ...cells.keys());
    for (let r = 0; r <= lastRow; r++) {
      const row = cells.get(r);
      const lastColumn = row ? Math.max(...row.keys()) : -1;
      for (let c = 0; c <= lastColumn; c++) grid.cell(row!.get(c) ?? EMPTY);
      grid.endRow();
    }
    sheets.push({ name: entry.attrs.name ?? '', rows: grid.rows, headerRows: [] });
  }
  return sheets;
}

/** A sheet's cells as their text, row by row: what a CSV of the sheet would hold. */
export function sheetText(sheet: Sheet): string[][] {
  return sheet.rows.map((row) => row.map((cell) => cell.text));
}
