/**
 * What a value read from data may hold: no invisible control characters, no characters that
 * reorder text (bidirectional embeddings, overrides and isolates), and no more characters than
 * the release allows, with Excel's own limits as the ceiling (a longer cell or link is cut or
 * refused by Excel, so the workbook would no longer say what the data say).
 */

/** Excel's limits: characters in a cell, and in a hyperlink's address. */
export const EXCEL_LIMITS = { text: 32_767, link: 2_079 } as const;

/** How long a value may be, in characters (UTF-16 units, as Excel counts). */
export interface TextLimits {
  text: number;
  link: number;
}

/** Names for the invisible characters people meet in pasted text; the rest are named by code. */
const NAMES: Record<number, string> = {
  0x0000: 'null',
  0x0007: 'bell',
  0x0008: 'backspace',
  0x000b: 'vertical tab',
  0x000c: 'form feed',
  0x001b: 'escape',
  0x007f: 'delete',
  0x061c: 'Arabic letter mark',
  0x200b: 'zero width space',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'byte order mark',
};

/**
 * Control characters (Cc) and invisible format characters (Cf, which include every bidirectional
 * control), less the few that ordinary text needs: tab and line breaks (a quoted CSV field may
 * hold them), the soft hyphen, and the joiners some scripts and emoji are written with.
 */
const FORBIDDEN = /(?![\t\n\r\u00ad\u200c\u200d])[\p{Cc}\p{Cf}\u2028\u2029]/u;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'gu');

export interface CharacterProblem {
  /** 1-based position of the character in the value, counting characters as a reader sees them. */
  position: number;
  code: string;
  name: string;
}

/** "U+202E" for a code point. */
export function codePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Anything but printable ASCII, tab and line breaks: where a forbidden character can be (a fast scan). */
const UNUSUAL = /[^\x20-\x7e\t\n\r]/g;
const IS_FORBIDDEN = new RegExp(`^${FORBIDDEN.source}$`, 'u');

/** Where the first forbidden character of `value` is, or -1. */
function firstForbidden(value: string): number {
  // Most text is plain ASCII: only the characters that are not are looked at closely.
  UNUSUAL.lastIndex = 0;
  try {
    for (let unusual = UNUSUAL.exec(value); unusual; unusual = UNUSUAL.exec(value)) {
      if (IS_FORBIDDEN.test(String.fromCodePoint(value.codePointAt(unusual.index)!))) return unusual.index;
    }
    return -1;
  } finally {
    UNUSUAL.lastIndex = 0;
  }
}

/** The first forbidden character in `value`, if any, with its position. */
export function forbiddenCharacter(value: string): CharacterProblem | undefined {
  const index = firstForbidden(value);
  if (index === -1) return undefined;
  const cp = value.codePointAt(index)!;
  return {
    position: [...value.slice(0, index)].length + 1,
    code: codePoint(cp),
    name: NAMES[cp] ?? (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? 'a control character' : 'an invisible formatting character'),
  };
}

/**
 * A value as an error message may quote it: invisible characters written as <U+202E>, so a
 * terminal shows the value as it is stored and cannot be reordered by it, and long values cut.
 */
export function quotable(value: string, max = 80): string {
  const shown = value.replace(FORBIDDEN_ALL, (ch) => `<${codePoint(ch.codePointAt(0)!)}>`);
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
