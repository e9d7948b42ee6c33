import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvRecords, parseCsvText } from '../../src/load/csv.js';

/** The error a parse throws. */
function syntaxError(text: string): CsvSyntaxError {
  try {
    parseCsvText(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvSyntaxError);
    return error as CsvSyntaxError;
  }
  throw new Error('expected a syntax error');
}

describe('parseCsvText', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes and CRLF, with start lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",z\n\n3,,\n';
    expect(parseCsvText(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, y', 'say "hi"'] },
      { line: 3, cells: ['2', 'two\nlines', 'z'], end: 4 },
      { line: 6, cells: ['3', '', ''] },
    ]);
  });

  it('handles a last line without a newline', () => {
    expect(parseCsvText('a,b\n1,2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });

  it('locates an unclosed quote at the line it was opened on', () => {
    expect(syntaxError('a,b\n1,"open\n2,3\n').line).toBe(2);
    expect(syntaxError('a\n"x"y\n').message).toMatch(/text follows a closing quote/);
  });

  it('names the line a stray quote was opened on when a later quote closes it, not the line the reader stopped on', () => {
    // Row 3 opens a quote that is never meant to close; the quoted name on row 11 closes it,
    // and the text after that quote is where a reader that does not look back would complain.
    const lines = ['code,name,grade'];
    for (let i = 2; i <= 12; i++) lines.push(i === 3 ? `E0${i},"Barnet,Good` : i === 11 ? `E0${i},"Bournemouth, Christchurch and Poole",Good` : `E0${i},Name ${i},Good`);
    const error = syntaxError(`${lines.join('\n')}\n`);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/opened on line 3 runs on to line 11/);
  });

  it('marks a record whose quoted field runs over several lines with the line it ends on', () => {
    // A stray quote closed cleanly at the end of a field later on: one long record from line 2 to 4.
    const [, record] = parseCsvText('a,b\n1,"x\n2,3\n4,5",6\n');
    expect(record).toEqual({ line: 2, cells: ['1', 'x\n2,3\n4,5', '6'], end: 4 });
  });

  it('hands out records one at a time', () => {
    const records = csvRecords('a\n1\n2\n"broken\n');
    expect(records.next().value).toEqual({ line: 1, cells: ['a'] });
    expect(records.next().value).toEqual({ line: 2, cells: ['1'] });
    expect(records.next().value).toEqual({ line: 3, cells: ['2'] });
    expect(() => records.next()).toThrow(CsvSyntaxError);
  });
});
