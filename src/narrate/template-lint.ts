/**
 * Checks on the text of narrative templates, run when a template set is loaded: no output that
 * skips escaping, and no number typed in where it should come from the data.
 */
import { ErrorList, StatpressError, type ErrorLocation } from '../core/errors.js';

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


/**
 * Words that claim something about the data: superlatives and extremes, quantifiers and scope,
 * approximations of a share and comparatives of size. Typed into a template, they would be true
 * for the data the template was written against and perhaps false for the next; they must come
 * from helpers that work out whether they are true ({{superlative}}, {{allOf}}, {{still}},
 * {{fraction}} …). The allow-list (`allowClaims` in template-set.yaml) is for phrases that define
 * something rather than claim it ("kept the same judgement").
 */
export const CLAIM_WORDS = [
  'most', 'least', 'highest', 'lowest', 'largest', 'smallest', 'strongest', 'weakest', 'best', 'worst',
  'all', 'none', 'every', 'everyone', 'both', 'only', 'elsewhere', 'the rest', 'still', 'the same',
  'a quarter', 'half', 'a third', 'two thirds', 'three quarters', 'two in five', 'majority', 'minority',
  'far fewer', 'far more', 'considerably', 'significantly', 'substantially',
];
const CLAIM = new RegExp(`\\b(${CLAIM_WORDS.map((w) => w.replace(/ /g, '\\s+')).join('|')})\\b`, 'i');

/** Template text with everything that is not prose removed: mustaches, comments, anchors, link targets. */
function prose(text: string): string {
  return text
    .replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\{\{[\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\{#[a-z0-9-]+\}/g, '')
    .replace(/\]\([^)]*\)/g, ']');
}

/** The first claim word in `text` outside mustaches and allowed phrases, if any. */
export function findClaimWord(text: string, allow: readonly string[]): string | undefined {
  let plain = prose(text);
  for (const phrase of allow) plain = plain.replace(new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'gi'), ' ');
  return CLAIM.exec(plain)?.[1];
}

/** Refuses a claim word typed into a section template, naming its line. */
export function checkClaimWords(source: string, file: string, allow: readonly string[]): void {
  const errors = new ErrorList();
  // Mustaches may span lines: strip them over the whole text, then read it line by line.
  const lines = prose(source).split('\n');
  const original = source.split('\n');
  lines.forEach((line, i) => {
    const word = findClaimWord(line, allow);
    if (word) errors.add(claimError(word, { file, row: i + 1, value: original[i]!.trim() }));
  });
  errors.throwIfAny();
}

export function claimError(word: string, location: ErrorLocation): StatpressError {
  return new StatpressError('template-claim', `"${word}" is a claim about the data typed into the template: it may be false for another date`, location,
    'let a helper work it out ({{superlative "highest" (top list "path")}}, {{allOf part total}}, {{still before after}}, {{fraction share}}), reword the sentence, or, if the phrase defines rather than claims, add it to allowClaims in template-set.yaml');
}
