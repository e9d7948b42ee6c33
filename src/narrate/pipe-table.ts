/**
 * GFM pipe tables, read from the lines of a Markdown paragraph. The Markdown parser statpress
 * uses has no table extension, so a table written in a template reaches `markdown.ts` as a
 * paragraph; these functions split it the way GitHub does (cells on unescaped `|`, an optional
 * pipe at either end, a delimiter row of dashes with colons for alignment), strictly: a row of
 * the wrong length is an error here, where GitHub would pad or cut it silently.
 */

/** One cell of a row: its Markdown text (escapes kept) and where it starts in the line (0-based). */
export interface PipeCell {
  text: string;
  start: number;
}

/** Alignment declared in the delimiter row; `center` is read so that it can be refused by name. */
export type PipeAlign = 'left' | 'right' | 'center' | undefined;

/** Splits a table row into its cells, on every `|` not escaped by a backslash. */
export function splitPipeRow(line: string): PipeCell[] {
  const cells: PipeCell[] = [];
  let start = 0;
  let backslashes = 0;
  for (let i = 0; i <= line.length; i++) {
    const ch = line[i];
    if (i === line.length || (ch === '|' && backslashes % 2 === 0)) {
      cells.push({ text: line.slice(start, i), start });
      start = i + 1;
    }
    backslashes = ch === '\\' ? backslashes + 1 : 0;
  }
  // A pipe at the start or the end of the row opens or closes it; it does not make a cell.
  if (cells.length > 1 && cells[0]!.text.trim() === '') cells.shift();
  if (cells.length > 1 && cells[cells.length - 1]!.text.trim() === '') cells.pop();
  return cells.map((c) => {
    const lead = Math.max(0, c.text.search(/\S/));
    return { text: c.text.trim(), start: c.start + lead };
  });
}

/** True when the line could be a row of a table: it holds a `|` that no backslash escapes. */
export function hasPipe(line: string): boolean {
  return /(^|[^\\])(\\\\)*\|/.test(line);
}

/** The alignments of a delimiter row (`| --- | --: |`), or undefined if the line is not one. */
export function parseDelimiterRow(line: string): PipeAlign[] | undefined {
  if (!hasPipe(line) || !/^[\s|:-]+$/.test(line)) return undefined;
  const cells = splitPipeRow(line.trim());
  const aligns: PipeAlign[] = [];
  for (const { text } of cells) {
    const match = /^(:?)-+(:?)$/.exec(text);
    if (!match) return undefined;
    aligns.push(match[1] && match[2] ? 'center' : match[2] ? 'right' : match[1] ? 'left' : undefined);
  }
  return aligns;
}

/** A caption line above a table: `Table: words {#id}`. */
export function parseCaptionLine(line: string): { text: string; id?: string } | undefined {
  const match = /^\s*Table:\s*(.*?)\s*$/.exec(line);
  if (!match) return undefined;
  const id = /\s*\{#([a-z0-9-]+)\}$/.exec(match[1]!);
  return id ? { text: match[1]!.slice(0, id.index), id: id[1]! } : { text: match[1]! };
}
