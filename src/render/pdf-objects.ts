/**
 * The objects of a PDF file, read and written: enough of the PDF syntax (ISO 32000-1, section 7)
 * to finish the PDF Chromium prints — its catalog, structure tree, bookmarks and document
 * information — and to check it. Chromium (Skia) writes a classic cross-reference table and no
 * object streams, and every object it writes is found by its `N G obj` header.
 *
 * A file is read once into objects (the latest definition of each wins, as in an incremental
 * update); changes are written back as one incremental update appended to the original bytes,
 * so every byte Chromium wrote stays where it was.
 */

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen = 0,
  ) {}
}
/** A string as its bytes (each char a byte, latin1); `hex` when it was written <…>. */
export class PdfString {
  constructor(
    readonly bytes: string,
    readonly hex = false,
  ) {}
}
export type PdfDict = Map<string, PdfValue>;
export type PdfValue = null | boolean | number | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;

export interface PdfObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** For a stream: its bytes as written (filters not undone), latin1. */
  stream?: string;
}

/** Character classes by char code: 1 white space, 2 delimiter (a table: this is the parser's inner loop). */
const CLASS = new Uint8Array(256);
for (const ch of '\0\t\n\f\r ') CLASS[ch.charCodeAt(0)] = 1;
for (const ch of '()<>[]{}/%') CLASS[ch.charCodeAt(0)] = 2;
const isWhite = (t: string, at: number): boolean => CLASS[t.charCodeAt(at) & 0xff] === 1 && t.charCodeAt(at) < 256;
const isRegular = (t: string, at: number): boolean => CLASS[t.charCodeAt(at) & 0xff] === 0 || t.charCodeAt(at) > 255;
const HEX_ONLY = /^[0-9a-fA-F]*$/;

/** Reads PDF values from text (each char a byte) starting at a position. */
class Lexer {
  constructor(
    readonly text: string,
    public at = 0,
  ) {}

  private skip(): void {
    const t = this.text;
    for (;;) {
      while (this.at < t.length && isWhite(t, this.at)) this.at++;
      if (t[this.at] !== '%') return;
      while (this.at < t.length && t[this.at] !== '\n' && t[this.at] !== '\r') this.at++;
    }
  }

  /** The next bare word (number, keyword) without moving past it. */
  peekWord(): string {
    this.skip();
    let end = this.at;
    while (end < this.text.length && isRegular(this.text, end)) end++;
    return this.text.slice(this.at, end);
  }

  private word(): string {
    const w = this.peekWord();
    this.at += w.length;
    return w;
  }

  value(): PdfValue {
    this.skip();
    const t = this.text;
    const c = t[this.at];
    if (c === '/') {
      this.at++;
      let end = this.at;
      while (end < t.length && isRegular(t, end)) end++;
      const raw = t.slice(this.at, end);
      this.at = end;
      return new PdfName(raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
    if (c === '<' && t[this.at + 1] === '<') {
      this.at += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skip();
        if (t[this.at] === '>' && t[this.at + 1] === '>') {
          this.at += 2;
          return dict;
        }
        const key = this.value();
        if (!(key instanceof PdfName)) throw new Error(`PDF: a dictionary key is not a name at byte ${this.at}`);
        dict.set(key.name, this.value());
      }
    }
    if (c === '<') {
      const end = t.indexOf('>', this.at);
      const hex = t.slice(this.at + 1, end).replace(/\s+/g, '');
      this.at = end + 1;
      const padded = hex.length % 2 ? `${hex}0` : hex;
      if (HEX_ONLY.test(padded)) return new PdfString(Buffer.from(padded, 'hex').toString('latin1'), true);
      let bytes = '';
      for (let i = 0; i < padded.length; i += 2) bytes += String.fromCharCode(parseInt(padded.slice(i, i + 2), 16));
      return new PdfString(bytes, true);
    }
    if (c === '(') return this.literal();
    if (c === '[') {
      this.at++;
      const items: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (t[this.at] === ']') {
          this.at++;
          return items;
        }
        items.push(this.value());
      }
    }
    const w = this.word();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
      // An indirect reference is two integers and R.
      if (/^\d+$/.test(w)) {
        const save = this.at;
        const gen = this.peekWord();
        if (/^\d+$/.test(gen)) {
          this.at += gen.length;
          if (this.peekWord() === 'R') {
            this.at += 1;
            return new PdfRef(Number(w), Number(gen));
          }
        }
        this.at = save;
      }
      return Number(w);
    }
    throw new Error(`PDF: unexpected "${w || t[this.at]}" at byte ${this.at}`);
  }

  private literal(): PdfString {
    const t = this.text;
    let depth = 0;
    let out = '';
    this.at++;
    for (;;) {
      const c = t[this.at++];
      if (c === undefined) throw new Error('PDF: unterminated string');
      if (c === '\\') {
        const n = t[this.at++]!;
        const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
        if (n in esc) out += esc[n];
        else if (/[0-7]/.test(n)) {
          let oct = n;
          while (oct.length < 3 && /[0-7]/.test(t[this.at] ?? '')) oct += t[this.at++];
          out += String.fromCharCode(parseInt(oct, 8) & 0xff);
        } else if (n === '\r') {
          if (t[this.at] === '\n') this.at++;
        } else if (n !== '\n') out += n;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')') {
        if (depth === 0) return new PdfString(out);
        depth--;
      }
      out += c;
    }
  }
}

/** Parses one value from PDF text (for tests and small snippets). */
export function parseValue(text: string): PdfValue {
  return new Lexer(text).value();
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(5).replace(/0+$/, '').replace(/\.$/, '');
}

/** Writes a value in PDF syntax. */
export function serialize(value: PdfValue): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof PdfName) return `/${value.name.replace(/[^!-~]|[#()<>[\]{}/%]/g, (ch) => `#${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
  if (value instanceof PdfRef) return `${value.num} ${value.gen} R`;
  if (value instanceof PdfString) {
    if (value.hex) return `<${[...value.bytes].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('').toUpperCase()}>`;
    return `(${value.bytes.replace(/[\\()]/g, (ch) => `\\${ch}`).replace(/\r/g, '\\r').replace(/\n/g, '\\n')})`;
  }
  if (Array.isArray(value)) return `[${value.map(serialize).join(' ')}]`;
  return `<<${[...value].map(([k, v]) => `${serialize(new PdfName(k))} ${serialize(v)}`).join(' ')}>>`;
}

/** A text string for a PDF (UTF-16BE with a byte-order mark), as PDF/UA asks of titles and alt text. */
export function textString(text: string): PdfString {
  let bytes = '\xfe\xff';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += String.fromCharCode(unit >> 8, unit & 0xff);
  }
  return new PdfString(bytes, true);
}

/** What a PDF text string says (UTF-16BE with a byte-order mark, UTF-8 with one, or PDFDocEncoding read as latin1). */
export function decodeText(value: PdfValue | undefined): string | undefined {
  if (!(value instanceof PdfString)) return undefined;
  const b = value.bytes;
  if (b.startsWith('\xfe\xff')) {
    let out = '';
    for (let i = 2; i + 1 < b.length; i += 2) out += String.fromCharCode((b.charCodeAt(i) << 8) | b.charCodeAt(i + 1));
    return out;
  }
  if (b.startsWith('\xef\xbb\xbf')) return Buffer.from(b.slice(3), 'latin1').toString('utf8');
  return b;
}

export const name = (n: string): PdfName => new PdfName(n);
export const isName = (v: PdfValue | undefined, n?: string): v is PdfName => v instanceof PdfName && (n === undefined || v.name === n);
export const isDict = (v: PdfValue | undefined): v is PdfDict => v instanceof Map;

/** A PDF read into objects, with the changes to write back as an incremental update. */
export class PdfFile {
  readonly text: string;
  readonly objects = new Map<number, PdfObject>();
  readonly trailer: PdfDict;
  private readonly startxref: number;
  private readonly changed = new Map<number, PdfObject>();
  private size: number;

  constructor(bytes: Uint8Array | string) {
    this.text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
    const t = this.text;
    const header = /(\d+)\s+(\d+)\s+obj\b/g;
    let m: RegExpExecArray | null;
    while ((m = header.exec(t))) {
      // A header inside another object's stream is never reached: streams are skipped below.
      const lexer = new Lexer(t, m.index + m[0].length);
      const value = lexer.value();
      const object: PdfObject = { num: Number(m[1]), gen: Number(m[2]), value };
      const after = /^\s*stream(\r\n|\n|\r)?/.exec(t.slice(lexer.at, lexer.at + 12));
      if (after && isDict(value)) {
        const start = lexer.at + after[0].length;
        const length = value.get('Length');
        let end = typeof length === 'number' ? start + length : -1;
        // A /Length that is a reference, or wrong, is not trusted: the stream ends at endstream.
        if (end < 0 || !/^\s*endstream/.test(t.slice(end, end + 12))) {
          end = t.indexOf('endstream', start);
          if (t[end - 1] === '\n') end--;
          if (t[end - 1] === '\r') end--;
        }
        object.stream = t.slice(start, end);
        header.lastIndex = t.indexOf('endobj', end);
      } else header.lastIndex = lexer.at;
      this.objects.set(object.num, object);
    }
    const trailerAt = t.lastIndexOf('trailer');
    if (trailerAt < 0) throw new Error('PDF: no trailer (a cross-reference stream is not supported)');
    this.trailer = new Lexer(t, trailerAt + 'trailer'.length).value() as PdfDict;
    this.startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(t)?.[1]);
    this.size = Number(this.trailer.get('Size'));
    if (!Number.isFinite(this.startxref) || !Number.isFinite(this.size)) throw new Error('PDF: no startxref or /Size');
  }

  /** The value an indirect reference points to (a direct value is given back as it is). */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    if (value instanceof PdfRef) return this.objects.get(value.num)?.value;
    return value;
  }

  dict(value: PdfValue | undefined): PdfDict | undefined {
    const v = this.resolve(value);
    return isDict(v) ? v : undefined;
  }

  get catalog(): PdfDict {
    const root = this.dict(this.trailer.get('Root'));
    if (!root) throw new Error('PDF: no catalog');
    return root;
  }

  /** Marks an object as changed (its value edited in place, or replaced). */
  update(num: number, value?: PdfValue, stream?: string): void {
    const object = this.objects.get(num);
    if (!object) throw new Error(`PDF: no object ${num}`);
    if (value !== undefined) object.value = value;
    if (stream !== undefined) object.stream = stream;
    this.changed.set(num, object);
  }

  /** Adds a new object and gives its reference. */
  add(value: PdfValue, stream?: string): PdfRef {
    const num = this.size++;
    const object: PdfObject = { num, gen: 0, value, ...(stream !== undefined ? { stream } : {}) };
    this.objects.set(num, object);
    this.changed.set(num, object);
    return new PdfRef(num);
  }

  /** The object number a reference in a parent's value points to. */
  refOf(value: PdfValue | undefined): number | undefined {
    return value instanceof PdfRef ? value.num : undefined;
  }

  /** The original bytes with every change appended as one incremental update. */
  save(trailerExtra: Record<string, PdfValue> = {}): Uint8Array {
    if (this.changed.size === 0 && Object.keys(trailerExtra).length === 0) return Buffer.from(this.text, 'latin1');
    const base = Buffer.byteLength(this.text, 'latin1');
    let body = this.text.endsWith('\n') ? '' : '\n';
    const offsets: Array<[number, number]> = [];
    for (const object of [...this.changed.values()].sort((a, b) => a.num - b.num)) {
      offsets.push([object.num, base + body.length]);
      let dict = object.value;
      if (object.stream !== undefined && isDict(dict)) {
        dict = new Map(dict);
        dict.set('Length', object.stream.length);
      }
      body += `${object.num} ${object.gen} obj\n${serialize(dict)}\n`;
      body += object.stream !== undefined ? `stream\n${object.stream}\nendstream\nendobj\n` : 'endobj\n';
    }
    const xrefAt = base + body.length;
    // One subsection per run of consecutive numbers.
    let xref = 'xref\n0 1\n0000000000 65535 f \n';
    for (let i = 0; i < offsets.length; ) {
      let j = i;
      while (j + 1 < offsets.length && offsets[j + 1]![0] === offsets[j]![0] + 1) j++;
      xref += `${offsets[i]![0]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) xref += `${String(offsets[k]![1]).padStart(10, '0')} ${String(this.objects.get(offsets[k]![0])!.gen).padStart(5, '0')} n \n`;
      i = j + 1;
    }
    const trailer: PdfDict = new Map(this.trailer);
    trailer.delete('Prev');
    trailer.delete('XRefStm');
    trailer.set('Size', this.size);
    for (const [k, v] of Object.entries(trailerExtra)) trailer.set(k, v);
    trailer.set('Prev', this.startxref);
    const update = `${body}${xref}trailer\n${serialize(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`;
    return Buffer.from(this.text + update, 'latin1');
  }
}
