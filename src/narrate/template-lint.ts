/**
 * Checks on the text of narrative templates, run when a template set is loaded: no output that
 * skips escaping, and no number typed in where it should come from the data.
 */
import { StatpressError } from '../core/errors.js';

/** Refuses `{{{x}}}` and `{{&x}}`, which would print data without escaping. */
export function checkUnescaped(source: string, file: string): void {
  source.split('\n').forEach((line, i) => {
    if (/\{\{\{|\{\{~?\s*&/.test(line)) {
      throw new StatpressError('template', 'triple braces and {{& }} print data without escaping; use {{ }}', { file, row: i + 1, value: line.trim() });
    }
  });
}

/**
 * Flags any digit written into a narrative template outside a helper call: numbers must come
 * from the data. Mustaches, comments, heading anchors and link targets are not text.
 */
export function checkDigits(source: string, file: string, allow: string[]): void {
  const lines = source.split('\n');
  lines.forEach((line, i) => {
    let text = line
      .replace(/\{\{!--.*?--\}\}|\{\{!.*?\}\}/g, '')
      .replace(/\{\{.*?\}\}/g, '')
      .replace(/\{#[a-z0-9-]+\}/g, '')
      .replace(/\]\([^)]*\)/g, ']')
      .replace(/^\s*\d+\.\s/, '');
    for (const phrase of allow) text = text.split(phrase).join('');
    const match = /\d+/.exec(text);
    if (match) {
      throw new StatpressError('template-digit', `the number ${match[0]} is typed into the template; numbers must come from the data through a helper`, {
        file,
        row: i + 1,
        value: line.trim(),
      }, 'use {{count}}, {{pct}}, {{date}} … on a model value, or add the phrase to allowDigits in template-set.yaml if it is a word');
    }
  });
}

