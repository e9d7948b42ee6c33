/**
 * The fonts every format uses: Arimo (metric-compatible with Arial), shipped by an npm package
 * so that chart text measurement, the PNG rasteriser and the printed PDF all use the same
 * files on any machine. Loaded once, lazily.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opentype from 'opentype.js';

const require = createRequire(import.meta.url);

export const FONT_FAMILY = 'Arimo';
/** CSS font stack: the shipped font first, then what a reader's machine has. */
export const FONT_STACK = 'Arimo, Arial, "Liberation Sans", Helvetica, sans-serif';

export const FONT_FILES = {
  regular: require.resolve('@expo-google-fonts/arimo/400Regular/Arimo_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/arimo/700Bold/Arimo_700Bold.ttf'),
} as const;

let buffers: { regular: Buffer; bold: Buffer } | undefined;
/** The font files' bytes. */
export function fontBuffers(): { regular: Buffer; bold: Buffer } {
  buffers ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
  return buffers;
}

let faces: { regular: opentype.Font; bold: opentype.Font } | undefined;
function fontFaces(): { regular: opentype.Font; bold: opentype.Font } {
  if (!faces) {
    const b = fontBuffers();
    const toArrayBuffer = (buf: Buffer) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    faces = { regular: opentype.parse(toArrayBuffer(b.regular)), bold: opentype.parse(toArrayBuffer(b.bold)) };
  }
  return faces;
}

const widthCache = new Map<string, number>();
/** Width in pixels of `text` set in Arimo at `size` pixels, regular or bold. */
export function measureText(text: string, size: number, bold = false): number {
  const key = `${bold ? 'b' : 'r'}${size}|${text}`;
  let width = widthCache.get(key);
  if (width === undefined) {
    const face = bold ? fontFaces().bold : fontFaces().regular;
    width = face.getAdvanceWidth(text, size, { kerning: true });
    widthCache.set(key, width);
  }
  return width;
}

/** `@font-face` rules with the fonts inlined, for pages printed without file access. */
export function fontFaceCss(only?: 'regular' | 'bold'): string {
  const b = fontBuffers();
  const face = (data: Buffer, weight: number) =>
    `@font-face{font-family:"${FONT_FAMILY}";font-style:normal;font-weight:${weight};src:url(data:font/ttf;base64,${data.toString('base64')}) format("truetype")}`;
  return (only !== 'bold' ? face(b.regular, 400) : '') + (only !== 'regular' ? face(b.bold, 700) : '');
}

/** The family name under which the web page embeds the subset of Arimo its charts use. */
export const CHART_FONT_FAMILY = 'Arimo Chart';

/**
 * Sets a font file's dates (head.created, head.modified) to zero and its checksums to match, so
 * the same glyphs always give the same bytes (opentype.js stamps the time of writing).
 */
function fixFontDates(font: Uint8Array): Uint8Array {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const tables = view.getUint16(4);
  const sum = (from: number, length: number) => {
    let total = 0;
    for (let i = 0; i < length; i += 4) {
      let word = 0;
      for (let j = 0; j < 4; j++) word = (word << 8) | (from + i + j < font.length ? font[from + i + j]! : 0);
      total = (total + (word >>> 0)) >>> 0;
    }
    return total;
  };
  for (let t = 0; t < tables; t++) {
    const record = 12 + 16 * t;
    if (String.fromCharCode(...font.subarray(record, record + 4)) !== 'head') continue;
    const offset = view.getUint32(record + 8);
    const length = view.getUint32(record + 12);
    for (let i = 20; i < 36; i++) font[offset + i] = 0;
    view.setUint32(offset + 8, 0);
    view.setUint32(record + 4, sum(offset, length));
    view.setUint32(offset + 8, (0xb1b0afba - sum(0, font.length)) >>> 0);
  }
  return font;
}

/**
 * `@font-face` rules embedding only the glyphs of Arimo (regular and bold) that `text` uses, as
 * OpenType, under CHART_FONT_FAMILY: the page's charts are laid out with Arimo's metrics, and a
 * reader without Arial still sees them in the font they were measured in.
 */
export function subsetFontFaceCss(text: string): string {
  const chars = [...new Set(text.replace(/\s/g, ' '))].sort();
  const faces = fontFaces();
  const face = (font: opentype.Font, weight: number, style: string) => {
    const glyphs = new Map<number, opentype.Glyph>([[0, font.glyphs.get(0)]]);
    for (const ch of [' ', ...chars]) {
      const glyph = font.charToGlyph(ch);
      glyphs.set(glyph.index, glyph);
    }
    const subset = new opentype.Font({
      familyName: CHART_FONT_FAMILY,
      styleName: style,
      unitsPerEm: font.unitsPerEm,
      ascender: font.ascender,
      descender: font.descender,
      glyphs: [...glyphs.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g),
    });
    const bytes = fixFontDates(new Uint8Array(subset.toArrayBuffer()));
    return `@font-face{font-family:"${CHART_FONT_FAMILY}";font-style:normal;font-weight:${weight};src:url(data:font/otf;base64,${Buffer.from(bytes).toString('base64')}) format("opentype")}`;
  };
  return face(faces.regular, 400, 'Regular') + face(faces.bold, 700, 'Bold');
}
