/**
 * Template mistakes are reported where they are: a block left open at the place it was opened
 * (not "Parse error on line 17" at the end of the file), a block closed by the wrong tag, other
 * syntax by line and column; templates written as settings at the setting; markup in a title at
 * the title; and no template or chart spec read from outside the folder of template sets.
 */
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleaseConfig } from '../../src/config/config.js';
import { loadTemplateSet } from '../../src/config/template-set.js';
import { templateSyntaxProblem } from '../../src/config/template-syntax.js';
import { StatpressError } from '../../src/core/errors.js';
import { releaseVariant, ROOT, tempDir } from '../support.js';

/** 1-based line and column of the first occurrence of `needle` in `text`, found independently. */
function placeOf(text: string, needle: string, from = 0): { line: number; column: number } {
  const index = text.indexOf(needle, from);
  expect(index).toBeGreaterThanOrEqual(0);
  const lines = text.slice(0, index).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function describeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatpressError);
    return (error as StatpressError).describe();
  }
  throw new Error('expected an error');
}

const copyOfTemplates = () => {
  const dir = tempDir();
  cpSync(join(ROOT, 'templates/ofsted-main-findings'), dir, { recursive: true });
  return dir;
};

describe('templateSyntaxProblem', () => {
  it('names a block left open at the place it was opened', () => {
    const text = ['# Title', '', 'Some {{count a}} words.', '', '{{#if b}}', 'More words.', ...Array(12).fill('Filler.'), '{{#each c}}{{this}}{{/each}}', 'The end.'].join('\n');
    const problem = templateSyntaxProblem(text)!;
    expect(problem.message).toBe('the {{#if}} opened here is not closed (expected {{/if}} before the end)');
    expect({ line: problem.line, column: problem.column }).toEqual(placeOf(text, '{{#if b}}'));
  });

  it('names a block closed by the wrong tag, and where the open one was opened', () => {
    const text = 'Intro.\n{{#with x}}\n  {{#if y}}text\n{{/with}}';
    const problem = templateSyntaxProblem(text)!;
    const opened = placeOf(text, '{{#if y}}');
    expect(problem.message).toBe(`{{/with}} does not close the {{#if}} opened at line ${opened.line}, column ${opened.column} (expected {{/if}} first)`);
    expect({ line: problem.line, column: problem.column }).toEqual(placeOf(text, '{{/with}}'));
  });

  it('names a close with nothing open, an else outside a block, an unclosed mustache and an unclosed comment', () => {
    expect(templateSyntaxProblem('a {{/if}} b')!.message).toBe('{{/if}} closes nothing: no block is open here');
    expect(templateSyntaxProblem('a\n{{else}}')).toMatchObject({ message: '{{else}} is outside any block', line: 2, column: 1 });
    expect(templateSyntaxProblem('x {{date a} and {{count b}}')).toMatchObject({ message: 'the {{ here is not closed with }} before the next {{', line: 1, column: 3 });
    expect(templateSyntaxProblem('x\n  {{!-- a note')).toMatchObject({ message: 'the comment {{!-- is not closed (expected --}} after it)', line: 2, column: 3 });
  });

  it('gives other syntax errors with Handlebars\' place and what it expected', () => {
    const text = 'one\ntwo {{count a x=}}';
    const problem = templateSyntaxProblem(text)!;
    expect(problem.message).toMatch(/^Handlebars cannot read the template here: found \}\}, expected .*a name/);
    expect(problem.line).toBe(2);
    expect(problem.column).toBe(placeOf(text, '}}').column);
  });

  it('finds nothing wrong in sound templates, escaped mustaches, or braces inside a string', () => {
    for (const set of ['ofsted-main-findings', 'ilacs-quarterly']) {
      for (const file of readdirSync(join(ROOT, 'templates', set)).filter((f) => f.endsWith('.hbs'))) {
        expect(templateSyntaxProblem(readFileSync(join(ROOT, 'templates', set, file), 'utf8')), `${set}/${file}`).toBeUndefined();
      }
    }
    expect(templateSyntaxProblem('write \\{{this}} as it is')).toBeUndefined();
    expect(templateSyntaxProblem('{{plural n "a {{ b" "c }} d"}}')).toBeUndefined();
  });
});

describe('template files and settings', () => {
  it('places a block left open in a section by file, line and column', () => {
    const dir = copyOfTemplates();
    const file = join(dir, 'in-year.md.hbs');
    const broken = `${readFileSync(file, 'utf8')}\n{{#if inYear.from}}\nA paragraph whose block is never closed.\n\nAnother one.\n`;
    writeFileSync(file, broken);
    const { line, column } = placeOf(broken, '{{#if inYear.from}}');
    expect(describeError(() => loadTemplateSet(dir))).toBe(`${file}, line ${line}, column ${column}: the {{#if}} opened here is not closed (expected {{/if}} before the end)`);
  });

  it('places a mistake in a template written as a setting at the setting', () => {
    const dir = copyOfTemplates();
    const file = join(dir, 'template-set.yaml');
    const text = readFileSync(file, 'utf8');
    const alt = /^(\s+alt: )(.*)$/m.exec(text)!;
    writeFileSync(file, text.replace(alt[0], `${alt[1]}"Bars {{#if x}} of grades"`));
    const { line } = placeOf(text, alt[0].trimStart());
    expect(describeError(() => loadTemplateSet(dir))).toMatch(
      new RegExp(`template-set\\.yaml, line ${line}, column \\d+, setting "figures\\[0\\]\\.alt", value "Bars \\{\\{#if x\\}\\} of grades": the \\{\\{#if\\}\\} opened here is not closed \\(expected \\{\\{/if\\}\\} before the end\\) \\(at character 6 of the value\\)`),
    );
  });

  it('places markup in the release title at the title, not at "row 1"', () => {
    const variant = releaseVariant((c) => {
      c.meta.title = 'Main <b>findings</b> as at {{date period.asAt}}';
    });
    const { line } = placeOf(readFileSync(variant, 'utf8'), 'title: Main <b>');
    expect(describeError(() => loadReleaseConfig(variant))).toMatch(
      new RegExp(`release\\.yaml, line ${line}, column \\d+, setting "meta\\.title", value "Main <b>findings</b> as at \\{\\{date period\\.asAt\\}\\}": raw HTML is not allowed in a template; use Markdown \\(at character 6 of the value\\)`),
    );
  });

  it('refuses a section or chart spec outside the folder of template sets, and quotes nothing of it', () => {
    const dir = copyOfTemplates();
    const file = join(dir, 'template-set.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^sections:\n(\s+- )/m, 'sections:\n$1../../../../../../etc/passwd\n$1').replace(/^(\s+spec: ).*$/m, '$1../../../../../../etc/passwd'));
    const message = describeError(() => loadTemplateSet(dir));
    expect(message).toMatch(/setting "sections\[0\]", value "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd": the file is outside the folder of template sets/);
    expect(message).toMatch(/setting "figures\[0\]\.spec", value "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd": the file is outside the folder of template sets/);
    expect(message).not.toContain('root:');
  });
});
