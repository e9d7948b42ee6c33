/**
 * The words statpress shows a reader live in src/document/labels.ts and nowhere else: no
 * renderer, and not narrate, may spell one of them out again as a string literal.
 *
 * The words are taken from the module itself, so a label added there is guarded at once: every
 * exported string, and the fixed text of every phrase function (called with a marker for each
 * value and cut at the markers). Single lowercase joining words ("of", "by", "published") and
 * bare punctuation are too common to guard on their own; they are guarded as part of the
 * phrases they appear in. The sources are read with the TypeScript parser, so comments are never
 * mistaken for text and only real string and template literals (and regular expressions) count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as labels from '../../src/document/labels.js';
import { ROOT } from '../support.js';

/** Where the labels must not be spelled out: every renderer (HTML, PDF, DOCX, charts, workbook) and narrate. */
const GUARDED = ['src/render', 'src/narrate/narrate.ts'];

/**
 * Literals that hold a label's word but are not text a reader is shown as that label: each is an
 * identifier a file format needs. An entry that no longer matches anything fails the test, so the
 * list cannot go stale.
 */
const NOT_LABELS: Array<{ file: string; literal: string; why: string }> = [
  { file: 'src/render/docx.ts', literal: 'Status', why: "the id of the Word paragraph style of the status line (Word shows the style's name, 'Release status')" },
  { file: 'src/render/pdf-finish.ts', literal: 'Producer', why: 'the key of the PDF Info dictionary entry naming the software that made the file' },
  { file: 'src/render/pdf-finish.ts', literal: '<pdf:Producer>', why: 'the XMP property (Adobe PDF schema) naming the software that made the file' },
  { file: 'src/render/pdf-finish.ts', literal: '</pdf:Producer>', why: 'the end tag of that XMP property' },
  { file: 'src/render/pdf-finish.ts', literal: 'Contents', why: "the key of a PDF annotation's description (ISO 32000-1, 12.5.2) and of a page's content streams" },
  { file: 'src/render/workbook/xlsx.ts', literal: 'Table_', why: 'the prefix of Excel table object names (identifiers, not sheet names or titles)' },
];

const MARK = '\u0000';

/** The fixed text of a label: a string as it is, a phrase's text between its values. */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(MARK);
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (typeof value === 'function') return textsOf((value as (...args: unknown[]) => unknown)(...Array.from({ length: value.length }, () => MARK)));
  if (value && typeof value === 'object') return Object.values(value).flatMap(textsOf);
  return [];
}

/** Whether a piece of label text is distinctive enough to guard on its own. */
function distinctive(text: string): boolean {
  const t = text.trim();
  return t.length >= 2 && /[A-Za-z]/.test(t) && !/^[a-z]+$/.test(t);
}

const WORDS = [...new Set(Object.values(labels).flatMap(textsOf).filter(distinctive).map((t) => t.trim()))].sort();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern that finds a label's text as whole words: "Table" is not found in "TableStyleLight1".
 * A one-word label is found only where it stands on its own, not as a word of a longer phrase: the
 * column "Publication date" is not the cover's "Publication", but "Figure ${n}" is "Figure".
 */
function patternOf(word: string): RegExp {
  const single = !/\s/.test(word);
  const before = `${single ? '(?<![A-Za-z] )' : ''}${/^\w/.test(word) ? '\\b' : ''}`;
  const after = `${/\w$/.test(word) ? '\\b' : ''}${single ? '(?! [A-Za-z])' : ''}`;
  return new RegExp(`${before}${escapeRegExp(word)}${after}`);
}
const PATTERNS = WORDS.map((word) => ({ word, pattern: patternOf(word) }));

/** The text of every string literal, template-literal piece and regular expression in a source file. */
function literalsOf(source: string, file = 'source.ts'): Array<{ text: string; line: number }> {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Array<{ text: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
      // Module names in imports are paths, not text.
      if (!(ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent))) {
        out.push({ text: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every label spelled out in a source file: where, which literal, which label. */
function findLabels(source: string, file: string): Array<{ file: string; line: number; literal: string; label: string }> {
  return literalsOf(source, file).flatMap(({ text, line }) =>
    PATTERNS.filter(({ pattern }) => pattern.test(text)).map(({ word }) => ({ file, line, literal: text, label: word })),
  );
}

function tsFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => (name.endsWith('.ts') || statSync(join(full, name)).isDirectory() ? tsFiles(join(path, name)) : []));
}

describe('labels', () => {
  it('guards the words a reader sees, taken from the module itself', () => {
    for (const word of ['Status', 'Period covered', 'Next update', 'Produced by', 'Contents', 'Footnotes', 'Back to text', 'View data in an accessible format', 'Download this release', 'This release includes:', 'Skip to main content', 'Revised', 'Area code', 'Region', 'Note number', 'What it holds', 'Cover']) {
      expect(WORDS, word).toContain(word);
    }
    // Phrases are guarded by their fixed text.
    for (const text of ['This release was revised on', '© Crown copyright', 'Data for Figure', 'Figure', 'Table', 'DRAFT: not for publication. These statistics have not been released.', 'Page', 'The data for this figure are in the annex:', '[The chart is not drawn in this version: its data are in the table below.']) {
      expect(WORDS, text).toContain(text);
    }
    expect(WORDS).not.toContain('of');
  });

  it('finds a label in a string or template literal, and never in a comment', () => {
    const source = [
      "// 'Back to text' in a comment",
      '/* `Figure ${n}: ${title}` */',
      "const a = 'Back to text';",
      'const b = `<p>Figure ${n}: ${title}</p>`;',
      'const c = `${x}This release was revised on ${d}`;',
      "const d = 'TableStyleLight1 figures tabled';",
      "const e = ['Publication date', 'Area codes', 'the Region'];",
      "const f = 'Figure 3', g = 'Published:';",
    ].join('\n');
    const found = findLabels(source, 'sample.ts').map((f) => `${f.line}:${f.label}`);
    expect(found).toEqual(['3:Back to text', '4:Figure', '5:This release was revised on', '8:Figure', '8:Published']);
  });

  it('appears in no renderer and not in narrate except through labels.ts', () => {
    const files = GUARDED.flatMap(tsFiles);
    expect(files).toContain('src/render/html.ts');
    expect(files).toContain('src/render/workbook/workbook.ts');
    const found = files.flatMap((file) => findLabels(readFileSync(join(ROOT, file), 'utf8'), relative(ROOT, join(ROOT, file))));
    const allowed = (f: (typeof found)[number]) => NOT_LABELS.some((n) => n.file === f.file && n.literal === f.literal);
    expect(found.filter((f) => !allowed(f)).map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.literal)} spells out the label ${JSON.stringify(f.label)}; use labels.ts`)).toEqual([]);
    // Every exception is still needed.
    for (const n of NOT_LABELS) expect(found.some((f) => f.file === n.file && f.literal === n.literal), `${n.file}: ${n.literal}`).toBe(true);
  });
});
