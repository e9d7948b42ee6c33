/**
 * A page's content stream, read as operators: where each marked-content sequence (each MCID) is
 * painted on the page, what is painted outside any marked content, and a rewrite that marks such
 * untagged painting as an artifact.
 *
 * Only what Chromium's PDF backend writes is interpreted: the graphics state (q, Q, cm), paths
 * (m, l, c, v, y, h, re and their painting operators), text (BT, ET, Tf, Tm, Td, TD, T*, Tj, TJ,
 * ', "), XObjects and shadings (Do, sh), and marked content (BMC, BDC, EMC). Text is placed from
 * its position and size: a glyph is taken to be half an em wide, enough to say which lines of a
 * page hold what.
 */
import { isDict, PdfName, PdfString, parseValue, type PdfValue } from './pdf-objects.js';

export interface ContentOp {
  op: string;
  operands: PdfValue[];
  /** Offsets in the stream's text of the operator's first operand (or the operator) and its end. */
  start: number;
  end: number;
}

/** Character classes by char code: 1 white space, 2 delimiter, 4 starts a number, 8 inside a number. */
const CLASS = new Uint8Array(256);
for (const ch of '\0\t\n\f\r ') CLASS[ch.charCodeAt(0)] = 1;
for (const ch of '()<>[]{}/%') CLASS[ch.charCodeAt(0)] = 2;
for (const ch of '0123456789+-.') CLASS[ch.charCodeAt(0)]! |= 4;
for (const ch of '0123456789.') CLASS[ch.charCodeAt(0)]! |= 8;
const is = (text: string, at: number, cls: number): boolean => (CLASS[text.charCodeAt(at) & 0xff]! & cls) !== 0;
const WHITE = 1;
const DELIM = 2;
const NUMBER_START = 4;
const NUMBER_PART = 8;

/** The operators of a content stream, with their operands, in order. */
export function contentOps(text: string): ContentOp[] {
  const ops: ContentOp[] = [];
  let operands: PdfValue[] = [];
  let start = -1;
  let at = 0;
  const n = text.length;
  while (at < n) {
    const c = text[at]!;
    if (is(text, at, WHITE)) {
      at++;
      continue;
    }
    if (c === '%') {
      while (at < n && text[at] !== '\n' && text[at] !== '\r') at++;
      continue;
    }
    if (start < 0) start = at;
    if (is(text, at, NUMBER_START) || c === '/' || c === '(' || c === '<' || c === '[') {
      const { value, end } = valueAt(text, at);
      operands.push(value);
      at = end;
      continue;
    }
    let end = at;
    while (end < n && !is(text, end, WHITE | DELIM)) end++;
    if (end === at) end = at + 1;
    const op = text.slice(at, end);
    if (op === 'true' || op === 'false' || op === 'null') {
      operands.push(op === 'null' ? null : op === 'true');
      at = end;
      continue;
    }
    at = end;
    if (op === 'BI') {
      // An inline image: its data run to EI.
      const ei = /\sEI(?=[\s]|$)/g;
      ei.lastIndex = at;
      const m = ei.exec(text);
      at = m ? m.index + m[0].length : n;
    }
    ops.push({ op, operands, start, end: at });
    operands = [];
    start = -1;
  }
  return ops;
}

/** One value at a position, with where it ends (numbers, names, strings, arrays, dictionaries). */
function valueAt(text: string, at: number): { value: PdfValue; end: number } {
  if (is(text, at, NUMBER_START)) {
    let end = at + 1;
    while (end < text.length && is(text, end, NUMBER_PART)) end++;
    return { value: Number(text.slice(at, end)), end };
  }
  if (text[at] === '/') {
    const end = valueEnd(text, at);
    return { value: new PdfName(text.slice(at + 1, end)), end };
  }
  // Anything else is read by the object parser from a slice that holds exactly that value.
  const end = valueEnd(text, at);
  return { value: parseValue(text.slice(at, end)), end };
}

/** Where the value starting at `at` ends. */
function valueEnd(text: string, at: number): number {
  const c = text[at];
  if (c === '/') {
    let end = at + 1;
    while (end < text.length && !is(text, end, WHITE | DELIM)) end++;
    return end;
  }
  if (c === '(') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\\') i++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return i + 1;
    }
    return text.length;
  }
  if (c === '<' && text[at + 1] !== '<') return text.indexOf('>', at) + 1;
  if (c === '<' || c === '[') {
    const close = c === '<' ? '>>' : ']';
    let i = at + (c === '<' ? 2 : 1);
    for (;;) {
      while (i < text.length && is(text, i, WHITE)) i++;
      if (text.startsWith(close, i)) return i + close.length;
      if (i >= text.length) return text.length;
      if (is(text, i, NUMBER_START)) {
        i++;
        while (i < text.length && is(text, i, NUMBER_PART)) i++;
      } else if (/[A-Za-z]/.test(text[i]!)) {
        // true, false, null, or the R of a reference.
        while (i < text.length && /[A-Za-z]/.test(text[i]!)) i++;
      } else i = valueEnd(text, i);
    }
  }
  return at + 1;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Grows a box to hold another. */
export function union(a: Box | undefined, b: Box): Box {
  if (!a) return { ...b };
  return { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) };
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

const PAINT = new Set(['S', 's', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*']);
const PATH = new Set(['m', 'l', 'c', 'v', 'y', 'h', 're']);
const SHOW = new Set(['Tj', 'TJ', "'", '"']);

export interface PageContent {
  /** Where each MCID's content is painted, in top-down page coordinates (points from the top left). */
  marked: Map<number, Box>;
  /** Painting outside any marked content: how many operators, and where. */
  untagged: { count: number; box?: Box };
  /** Painting inside an Artifact sequence. */
  artifacts?: Box;
}

/**
 * Where things are painted on a page of height `height` (points). Clipping is ignored: what is
 * painted is counted where it is drawn.
 */
export function readContent(text: string, height: number): PageContent {
  const marked = new Map<number, Box>();
  const untagged: PageContent['untagged'] = { count: 0 };
  let artifacts: Box | undefined;
  const stack: Matrix[] = [];
  let ctm: Matrix = IDENTITY;
  let path: Box | undefined;
  // Marked content: the MCID of each open sequence (or -1 for an artifact, null for another tag).
  const mc: Array<number | null> = [];
  let tm: Matrix = IDENTITY;
  let tlm: Matrix = IDENTITY;
  let fontSize = 0;
  let leading = 0;
  const toPage = (x: number, y: number): [number, number] => {
    const [px, py] = apply(ctm, x, y);
    return [px, height - py];
  };
  const paint = (box: Box): void => {
    const owner = [...mc].reverse().find((id) => id !== null);
    if (owner === undefined) {
      untagged.count++;
      untagged.box = union(untagged.box, box);
    } else if (owner === -1) artifacts = union(artifacts, box);
    else marked.set(owner, union(marked.get(owner), box));
  };
  const showText = (glyphs: number): void => {
    if (fontSize === 0 || glyphs === 0) return;
    const trm = multiply(multiply([fontSize, 0, 0, fontSize, 0, 0], tm), ctm);
    const corners = [apply(trm, 0, -0.2), apply(trm, 0.5 * glyphs, -0.2), apply(trm, 0, 0.9), apply(trm, 0.5 * glyphs, 0.9)].map(([x, y]) => [x, height - y] as const);
    paint({
      left: Math.min(...corners.map((p) => p[0])),
      right: Math.max(...corners.map((p) => p[0])),
      top: Math.min(...corners.map((p) => p[1])),
      bottom: Math.max(...corners.map((p) => p[1])),
    });
  };
  const glyphCount = (v: PdfValue | undefined): number => {
    // Chromium's fonts are composite (Identity-H): two bytes a glyph.
    if (v instanceof PdfString) return Math.max(1, Math.floor(v.bytes.length / 2));
    if (Array.isArray(v)) return v.reduce<number>((sum, item) => sum + (typeof item === 'number' ? 0 : glyphCount(item)), 0);
    return 0;
  };
  const point = (x: number, y: number): void => {
    const [px, py] = toPage(x, y);
    path = union(path, { left: px, right: px, top: py, bottom: py });
  };
  for (const { op, operands } of contentOps(text)) {
    const num = (i: number) => (typeof operands[i] === 'number' ? (operands[i] as number) : 0);
    switch (op) {
      case 'q':
        stack.push(ctm);
        break;
      case 'Q':
        ctm = stack.pop() ?? IDENTITY;
        break;
      case 'cm':
        ctm = multiply([num(0), num(1), num(2), num(3), num(4), num(5)], ctm);
        break;
      case 'BMC':
        mc.push(operands[0] instanceof PdfName && operands[0].name === 'Artifact' ? -1 : null);
        break;
      case 'BDC': {
        const tag = operands[0] instanceof PdfName ? operands[0].name : '';
        const props = operands[1];
        const id = isDict(props) ? props.get('MCID') : undefined;
        mc.push(tag === 'Artifact' ? -1 : typeof id === 'number' ? id : null);
        break;
      }
      case 'EMC':
        mc.pop();
        break;
      case 're': {
        const [x, y, w, h] = [num(0), num(1), num(2), num(3)];
        point(x, y);
        point(x + w, y + h);
        break;
      }
      case 'm':
      case 'l':
        point(num(0), num(1));
        break;
      case 'c':
        point(num(0), num(1));
        point(num(2), num(3));
        point(num(4), num(5));
        break;
      case 'v':
      case 'y':
        point(num(0), num(1));
        point(num(2), num(3));
        break;
      case 'n':
        path = undefined;
        break;
      case 'BT':
        tm = IDENTITY;
        tlm = IDENTITY;
        break;
      case 'Tf':
        fontSize = num(1);
        break;
      case 'TL':
        leading = num(0);
        break;
      case 'Tm':
        tm = [num(0), num(1), num(2), num(3), num(4), num(5)];
        tlm = tm;
        break;
      case 'Td':
      case 'TD':
        if (op === 'TD') leading = -num(1);
        tlm = multiply([1, 0, 0, 1, num(0), num(1)], tlm);
        tm = tlm;
        break;
      case 'T*':
        tlm = multiply([1, 0, 0, 1, 0, -leading], tlm);
        tm = tlm;
        break;
      case 'Do':
      case 'sh':
      case 'BI':
        // An image or shading fills the unit square of the current matrix.
        point(0, 0);
        point(1, 1);
        if (path) paint(path);
        path = undefined;
        break;
      default:
        if (PAINT.has(op)) {
          if (path) paint(path);
          path = undefined;
        } else if (SHOW.has(op)) {
          if (op === "'" || op === '"') {
            tlm = multiply([1, 0, 0, 1, 0, -leading], tlm);
            tm = tlm;
          }
          showText(glyphCount(operands[operands.length - 1]));
        }
    }
  }
  return { marked, untagged, ...(artifacts ? { artifacts } : {}) };
}

/**
 * Marks every painting operator outside marked content as an artifact: an `/Artifact BMC` opens
 * before the path, text object or image, and closes before the next tagged sequence (or at the
 * end of the stream). Returns the stream unchanged when nothing is untagged.
 */
export function markUntaggedAsArtifacts(text: string): string {
  const ops = contentOps(text);
  const inserts: Array<[number, string]> = [];
  let depth = 0;
  let open = false;
  let pathStart = -1;
  let textStart = -1;
  const openAt = (at: number) => {
    if (open) return;
    inserts.push([at, '/Artifact BMC\n']);
    open = true;
  };
  for (const o of ops) {
    const { op } = o;
    if (op === 'BDC' || op === 'BMC') {
      const props = o.operands[1];
      const tagged = op === 'BDC' && isDict(props) && typeof props.get('MCID') === 'number';
      if (open && depth === 0 && tagged) {
        inserts.push([o.start, 'EMC\n']);
        open = false;
      }
      depth++;
      // The artifact never reaches back over a marked-content boundary.
      textStart = -1;
      continue;
    }
    if (op === 'EMC') {
      depth--;
      textStart = -1;
      continue;
    }
    if (op === 'BT') textStart = o.start;
    if (op === 'ET') textStart = -1;
    if (PATH.has(op) && pathStart < 0) pathStart = o.start;
    const paints = PAINT.has(op) || SHOW.has(op) || op === 'Do' || op === 'sh' || op === 'BI';
    if (paints && depth === 0 && !open) openAt(SHOW.has(op) ? (textStart >= 0 ? textStart : o.start) : pathStart >= 0 ? pathStart : o.start);
    if (PAINT.has(op) || op === 'n') pathStart = -1;
  }
  if (open) inserts.push([text.length, '\nEMC\n']);
  if (inserts.length === 0) return text;
  let out = '';
  let last = 0;
  for (const [at, what] of inserts.sort((a, b) => a[0] - b[0])) {
    out += text.slice(last, at) + what;
    last = at;
  }
  return out + text.slice(last);
}
