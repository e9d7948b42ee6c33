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
